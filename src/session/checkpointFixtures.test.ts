/**
 * Checkpoints saved by the v1 engine still resume: each file in fixtures/checkpoints/ (written by
 * scripts/makeCheckpointFixtures.ts, "TTCK" format version 1) is put into a fresh memory store, the
 * same model, dataset, split and plan are loaded as manifest.json says, and the run resumed to its end
 * must give the per-step losses of the same run uninterrupted (to 1e-6), on the CPU backend.
 *
 * The session is called only in `resume` below.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, DEFAULT_LM_TRAIN_CONFIG, type EngineEvent, type SavedRun, type TrainConfig, type TrainPlan } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { Session } from './session.ts';
import { memoryCheckpointStore } from '../storage/checkpointStore.ts';
import { readFolder } from '../testing/readFolder.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface EngineCall {
  method: string;
  args: unknown[];
}

interface Fixture {
  file: string;
  sha256: string;
  kind: 'table' | 'lm';
  runId: string;
  summary: SavedRun;
  step: number;
  totalSteps: number;
  position: { kind: 'epochs'; epoch: number; batch: number } | { kind: 'lm'; cursor: number };
  /** The v1 config (no `task`; the LM's schedule as a string): the saved checkpoint carries it too. */
  config: Record<string, unknown>;
  /** setBackend, then importCsv/loadTabularModel/setPlan or lmLoadModel/lmImportText/lmSetPlan. */
  engineCalls: EngineCall[];
  resumeCall: EngineCall;
  uninterruptedLosses: number[];
  uninterruptedEvals?: { step: number; validationLoss: number }[];
}

const manifest = JSON.parse(readFileSync(`${ROOT}fixtures/checkpoints/manifest.json`, 'utf8')) as { format: { magic: string; version: number }; fixtures: Record<string, Fixture> };

/** Arguments with {"$file": path} as a Blob and {"$folder": path} as the folder's files (paths from the repository root). */
function materialize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(materialize);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$file === 'string') return new Blob([readFileSync(ROOT + o.$file)]);
    if (typeof o.$folder === 'string') return readFolder(ROOT + o.$folder);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, materialize(v)]));
  }
  return value;
}

/** The arguments the fixture's run gave `method`, materialized. */
function argsOf(fixture: Fixture, method: string): unknown[] {
  const call = fixture.engineCalls.find((c) => c.method === method);
  if (!call) throw new Error(`${fixture.file}: no ${method} call in the manifest`);
  return materialize(call.args) as unknown[];
}

const maxDiff = (a: number[], b: number[]) => Math.max(0, ...a.map((x, i) => Math.abs(x - b[i]!)));

// Session-specific ------------------------------------------------------------------------------

/** The v1 plan as the session takes it now: "trained in full" is 'full' (v1 wrote 'train'). */
function planNow(plan: Record<string, { kind: string }>): TrainPlan {
  return Object.fromEntries(Object.entries(plan).map(([k, m]) => [k, m.kind === 'train' ? { ...m, kind: 'full' } : m])) as TrainPlan;
}

/**
 * Loads the fixture into a fresh store and session, rebuilds its model, dataset, split and plan, and
 * resumes it to the end the way the studio does now: the default config of the task, with
 * `resumeFrom` and the checkpoint settings (the saved run's own settings are used).
 */
async function resume(fixture: Fixture, bytes: Uint8Array): Promise<{ state: string; losses: number[]; evals: { step: number; validationLoss: number }[] }> {
  const store = memoryCheckpointStore();
  await store.put(fixture.summary.runId, bytes, fixture.summary);
  const losses: number[] = [];
  const evals: { step: number; validationLoss: number }[] = [];
  const session = new Session({ decodeImage: decodeImagePng, checkpoints: store }, (e: EngineEvent) => {
    if (e.type === 'step') losses.push(e.point.loss);
    if (e.type === 'eval' && e.task === 'lm') evals.push({ step: e.point.step, validationLoss: e.point.validationLoss });
  });
  const asked = fixture.resumeCall.args[0] as { resumeFrom: string; checkpoint: TrainConfig['checkpoint'] };
  try {
    await session.setBackend('cpu');
    if (fixture.kind === 'table') {
      const [name, csv, options] = argsOf(fixture, 'importCsv') as Parameters<Session['importCsv']>;
      await session.importCsv(name, csv, options);
      await session.loadTabularModel();
      const [plan, batchSize] = argsOf(fixture, 'setPlan') as [Record<string, { kind: string }>, number];
      await session.setPlan(planNow(plan), batchSize);
      const result = await session.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, resumeFrom: asked.resumeFrom, checkpoint: asked.checkpoint });
      return { state: result.state, losses, evals };
    }
    const [source] = argsOf(fixture, 'lmLoadModel') as Parameters<Session['lmLoadModel']>;
    await session.lmLoadModel(source);
    const [name, text, options] = argsOf(fixture, 'lmImportText') as Parameters<Session['lmImportText']>;
    await session.lmImportText(name, text, options);
    const [plan, batchSize, maxLength] = argsOf(fixture, 'lmSetPlan') as [TrainPlan, number, number];
    await session.lmSetPlan(plan, batchSize, maxLength);
    const result = await session.train({ ...DEFAULT_LM_TRAIN_CONFIG, resumeFrom: asked.resumeFrom, checkpoint: asked.checkpoint });
    return { state: result.state, losses, evals };
  } finally {
    session.dispose();
  }
}


describe('checkpoints written by the v1 engine (before the Session) resume with the uninterrupted losses (CPU)', () => {
  it('has a table and a language-model fixture in TTCK format 1', () => {
    expect(manifest.format).toEqual({ magic: 'TTCK', version: 1 });
    expect(Object.values(manifest.fixtures).map((f) => f.kind).sort()).toEqual(['lm', 'table']);
  });

  for (const [name, fixture] of Object.entries(manifest.fixtures)) {
    it(`resumes ${name} (${fixture.kind}, step ${fixture.step} of ${fixture.totalSteps})`, async () => {
      const bytes = new Uint8Array(readFileSync(ROOT + fixture.file));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(fixture.sha256);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('TTCK');
      expect(view.getUint32(4, true)).toBe(1);
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
    }, 120_000);
  }
});
