/**
 * Checkpoints saved by earlier engines still resume: each file in fixtures/checkpoints/ (format 1,
 * written by the v1 engine, manifest.json; format 2, with the step history, manifest-v2.json, written
 * by scripts/makeCheckpointFixtures.ts) is put into a fresh memory store, the same model, dataset,
 * split and plan are loaded as the manifest says, and the run resumed to its end must give the
 * per-step losses of the same run uninterrupted (to 1e-6), on the CPU backend. The studio is told the
 * history before the checkpoint: none from format 1, every step's loss (as float32) from format 2.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, DEFAULT_LM_TRAIN_CONFIG, type EngineEvent, type ResumedRun } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { memoryCheckpointStore } from '../storage/checkpointStore.ts';
import { loadFixtureRun, readManifest, resumeAsked, ROOT, type CheckpointFixture } from '../testing/checkpointFixtures.ts';
import { Session } from './session.ts';

const maxDiff = (a: number[], b: number[]) => Math.max(0, ...a.map((x, i) => Math.abs(x - b[i]!)));

/**
 * Loads the fixture into a fresh store and session, rebuilds its model, dataset, split and plan, and
 * resumes it to the end the way the studio does now: the default config of the task, with
 * `resumeFrom` and the checkpoint settings (the saved run's own settings are used).
 */
async function resume(fixture: CheckpointFixture, bytes: Uint8Array): Promise<{ state: string; losses: number[]; evals: { step: number; validationLoss: number }[]; resumed: ResumedRun | null }> {
  const store = memoryCheckpointStore();
  await store.put(fixture.summary.runId, bytes, fixture.summary);
  const losses: number[] = [];
  const evals: { step: number; validationLoss: number }[] = [];
  let resumed: ResumedRun | null = null;
  const session = new Session({ decodeImage: decodeImagePng, checkpoints: store }, (e: EngineEvent) => {
    if (e.type === 'runStarted') resumed = e.resumed;
    if (e.type === 'step') losses.push(e.point.loss);
    if (e.type === 'eval' && e.task === 'lm') evals.push({ step: e.point.step, validationLoss: e.point.validationLoss });
  });
  const asked = resumeAsked(fixture);
  try {
    await loadFixtureRun(session, fixture);
    const defaults = fixture.kind === 'table' ? DEFAULT_CLASSIFIER_TRAIN_CONFIG : DEFAULT_LM_TRAIN_CONFIG;
    const result = await session.train({ ...defaults, resumeFrom: asked.resumeFrom, checkpoint: asked.checkpoint });
    return { state: result.state, losses, evals, resumed };
  } finally {
    session.dispose();
  }
}

for (const version of [1, 2] as const) {
  const manifest = readManifest(version === 1 ? 'manifest.json' : 'manifest-v2.json');

  describe(`checkpoints in format ${version} resume with the uninterrupted losses (CPU)`, () => {
    it(`has a table and a language-model fixture in TTCK format ${version}`, () => {
      expect(manifest.format).toEqual({ magic: 'TTCK', version });
      expect(Object.values(manifest.fixtures).map((f) => f.kind).sort()).toEqual(['lm', 'table']);
    });

    for (const [name, fixture] of Object.entries(manifest.fixtures)) {
      it(`resumes ${name} (${fixture.kind}, step ${fixture.step} of ${fixture.totalSteps})`, async () => {
        const bytes = new Uint8Array(readFileSync(ROOT + fixture.file));
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(fixture.sha256);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('TTCK');
        expect(view.getUint32(4, true)).toBe(version);
        expect(fixture.step).toBeGreaterThan(0);
        expect(fixture.step).toBeLessThan(fixture.totalSteps);
        if (fixture.position.kind === 'epochs') expect(fixture.position.batch).toBeGreaterThan(0); // mid-epoch

        const resumed = await resume(fixture, bytes);
        const expected = fixture.uninterruptedLosses.slice(fixture.step);
        const diff = maxDiff(resumed.losses, expected);
        console.log(`${name}: resumed from step ${fixture.step}, max |loss diff| = ${diff}`);
        expect(resumed.state).toBe('done');
        expect(resumed.losses).toHaveLength(expected.length);
        expect(diff).toBeLessThanOrEqual(1e-6);
        if (fixture.uninterruptedEvals) {
          const later = fixture.uninterruptedEvals.filter((e) => e.step > fixture.step);
          expect(resumed.evals.map((e) => e.step)).toEqual(later.map((e) => e.step));
          expect(maxDiff(resumed.evals.map((e) => e.validationLoss), later.map((e) => e.validationLoss))).toBeLessThanOrEqual(1e-6);
        }
        // The chart's history before the checkpoint, as the studio gets it.
        const before = fixture.uninterruptedLosses.slice(0, fixture.step).map((x) => Math.fround(x));
        expect(resumed.resumed).toMatchObject({ runId: fixture.runId, step: fixture.step, totalSteps: fixture.totalSteps });
        expect(resumed.resumed!.steps.map((p) => p.loss)).toEqual(version === 1 ? [] : before);
        expect(resumed.resumed!.config).toMatchObject({ task: fixture.kind === 'lm' ? 'lm' : 'classifier' });
      }, 240_000);
    }
  });
}
