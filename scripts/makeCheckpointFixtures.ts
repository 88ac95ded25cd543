/**
 * Writes the format-2 checkpoint fixtures (fixtures/checkpoints/v2-*.ttck and manifest-v2.json): the
 * same runs as the format-1 fixtures (same model, data, plan and settings), trained by today's engine
 * on the CPU backend and stopped at the same step, so the checkpoint keeps the step history. Kept as
 * written: later formats must still resume them (src/session/checkpointFixtures.test.ts).
 *
 *   npx tsx scripts/makeCheckpointFixtures.ts
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import type { TrainConfig } from '../src/api.ts';
import { decodeImagePng } from '../src/data/decodeImagePng.ts';
import { Session } from '../src/session/session.ts';
import { memoryCheckpointStore } from '../src/storage/checkpointStore.ts';
import { loadFixtureRun, readManifest, resumeAsked, ROOT, type CheckpointFixture } from '../src/testing/checkpointFixtures.ts';
import { deserializeCheckpoint } from '../src/train/checkpoint.ts';

async function makeV2(name: string, v1: CheckpointFixture): Promise<[string, CheckpointFixture]> {
  const store = memoryCheckpointStore();
  const losses: number[] = [];
  const session: Session = new Session({ decodeImage: decodeImagePng, checkpoints: store }, (e) => {
    if (e.type !== 'step') return;
    losses.push(e.point.loss);
    if (e.point.step === v1.step) void session.stop();
  });
  try {
    await loadFixtureRun(session, v1);
    // The run's own settings, in today's shape (the format-1 checkpoint carries them; the upgrade brings them up to date).
    const { config } = deserializeCheckpoint(new Uint8Array(readFileSync(ROOT + v1.file))).meta;
    const result = await session.train({ ...config, resumeFrom: undefined } as TrainConfig);
    if (result.state !== 'stopped' || !result.runId) throw new Error(`${name}: the run did not stop with a checkpoint`);
    const diff = Math.max(...losses.map((x, i) => Math.abs(x - v1.uninterruptedLosses[i]!)));
    if (!(diff <= 1e-6)) throw new Error(`${name}: today's losses differ from the format-1 run's by ${diff}`);
    const bytes = (await store.latest(result.runId))!;
    const summary = (await store.list()).find((r) => r.runId === result.runId)!;
    if (summary.step !== v1.step) throw new Error(`${name}: saved at step ${summary.step}, expected ${v1.step}`);
    const file = v1.file.replace('/v1-', '/v2-');
    writeFileSync(ROOT + file, bytes);
    const fixture: CheckpointFixture = {
      file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      kind: v1.kind,
      runId: result.runId,
      summary,
      step: v1.step,
      totalSteps: v1.totalSteps,
      position: v1.position,
      config: config as unknown as Record<string, unknown>,
      engineCalls: v1.engineCalls,
      resumeCall: { method: 'train', args: [{ resumeFrom: result.runId, checkpoint: resumeAsked(v1).checkpoint }] },
      uninterruptedLosses: v1.uninterruptedLosses,
      ...(v1.uninterruptedEvals ? { uninterruptedEvals: v1.uninterruptedEvals } : {}),
    };
    console.log(`${file}: ${bytes.byteLength} bytes, step ${v1.step} of ${v1.totalSteps}, max |loss diff| vs format 1 = ${diff}`);
    return [name.replace(/^v1-/, 'v2-'), fixture];
  } finally {
    session.dispose();
  }
}

// One run at a time: the sessions share TF.js' one backend.
const made: [string, CheckpointFixture][] = [];
for (const [name, f] of Object.entries(readManifest('manifest.json').fixtures)) made.push(await makeV2(name, f));
const fixtures = Object.fromEntries(made);
const manifest = {
  description:
    'Checkpoints in TTCK format 2 (with the step history), the same runs as manifest.json (format 1) trained by the engine below on the CPU backend and stopped at the same step. To use one: run engineCalls in order on a fresh Session whose checkpoint store holds the file (store.put(summary.runId, bytes, summary)), then resumeCall; its step losses must equal uninterruptedLosses.slice(step), and its runStarted event must carry uninterruptedLosses.slice(0, step) as float32.',
  format: { magic: 'TTCK', version: 2 },
  generatedBy: 'npx tsx scripts/makeCheckpointFixtures.ts',
  engineCommit: execSync('git rev-parse HEAD', { cwd: ROOT }).toString().trim(),
  tfjs: '4.22.0',
  fixtures,
};
writeFileSync(`${ROOT}fixtures/checkpoints/manifest-v2.json`, `${JSON.stringify(manifest, null, 2)}\n`);
