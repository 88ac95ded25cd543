/**
 * Checkpoints through the engine on the CPU backend, with an in-memory store: a run interrupted
 * (stopped, or cut off after a checkpoint as a closed tab would be) and resumed gives the losses of
 * the uninterrupted run to 1e-6, for a table with a LoRA plan (with dropout) and for a language model.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LM_DATASET_OPTIONS, DEFAULT_LM_TRAIN_CONFIG, DEFAULT_SPLIT, DEFAULT_CLASSIFIER_TRAIN_CONFIG, type EngineEvent, type TrainPlan, type LmTrainConfig, type TrainConfig } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { Session } from './session.ts';
import { memoryCheckpointStore, type CheckpointStore } from '../storage/checkpointStore.ts';
import { errorOf } from '../testing/errorOf.ts';
import { readFolder } from '../testing/readFolder.ts';

const CSV = readFileSync(new URL('../../public/datasets/plants-sample.csv', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures/hf-tiny/', import.meta.url));
const maxDiff = (a: number[], b: number[]) => Math.max(0, ...a.map((x, i) => Math.abs(x - b[i]!)));

/** A store that can be "cut off" (as a closed tab stops writing): puts after that are dropped. */
function cuttableStore(): CheckpointStore & { cut: boolean; puts: number } {
  const inner = memoryCheckpointStore({ chunkBytes: 4096 });
  const store = {
    cut: false,
    puts: 0,
    put: async (runId: string, bytes: Uint8Array, summary: Parameters<CheckpointStore['put']>[2]) => {
      if (store.cut) return;
      store.puts++;
      await inner.put(runId, bytes, summary);
    },
    latest: (id: string) => inner.latest(id),
    list: () => inner.list(),
    delete: (id: string) => inner.delete(id),
  };
  return store;
}

const store = cuttableStore();
const events: EngineEvent[] = [];
let onEvent: (e: EngineEvent) => void = () => {};
const engine = new Session({ decodeImage: decodeImagePng, checkpoints: store }, (e) => {
  events.push(e);
  onEvent(e);
});

beforeAll(async () => {
  await engine.setBackend('cpu');
});
afterAll(() => engine.dispose());

/** Runs `train`, stopping after step `stopAt` (and cutting the store off after `cutAfterPuts` writes). */
async function interrupted<R>(train: () => Promise<R>, stepType: 'step' | 'step', stopAt: number, cutAfterPuts = Infinity): Promise<{ result: R; losses: number[] }> {
  const losses: number[] = [];
  const base = store.puts;
  onEvent = (e) => {
    if (e.type === 'checkpoint' && store.puts - base >= cutAfterPuts) store.cut = true;
    if (e.type === stepType) {
      losses.push(e.point.loss);
      if (e.point.step === stopAt) void engine.stop();
    }
  };
  try {
    return { result: await train(), losses };
  } finally {
    onEvent = () => {};
    store.cut = false;
  }
}

describe('checkpoints and resume on a table with a LoRA plan (CPU)', () => {
  const config: TrainConfig = { ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 3, batchSize: 16, learningRate: 0.01, schedule: { kind: 'linear', warmupSteps: 2 }, checkpoint: { everySteps: 4, everySeconds: 0 } };
  let full: number[] = [];

  it('trains uninterrupted, saving checkpoints and a finished one at the end', async () => {
    await engine.importCsv('plants', new Blob([CSV]), { split: DEFAULT_SPLIT });
    await engine.loadTabularModel();
    await engine.setPlan({ dense_1: { kind: 'lora', r: 4, alpha: 8, dropout: 0.2 }, dense_2: { kind: 'full' } }, 16);
    const { result, losses } = await interrupted(() => engine.train(config), 'step', -1);
    full = losses;
    expect(result.state).toBe('done');
    expect(result.runId).toBeDefined();
    expect(full.length).toBeGreaterThan(12);
    const saved = (await engine.listCheckpoints()).find((r) => r.runId === result.runId)!;
    expect(saved).toMatchObject({ kind: 'table', finished: true, step: result.steps, totalSteps: result.steps, modelName: expect.any(String), datasetName: 'plants' });
    expect(saved.bytes).toBeGreaterThan(1000);
    expect(await errorOf(engine.train({ ...config, resumeFrom: result.runId }))).toMatchObject({ code: 'resume-finished' });
  });

  it('resumes from the last checkpoint after a cut-off run with the same losses', async () => {
    // The store stops taking writes after the step-8 checkpoint; the run is stopped at step 10.
    const { result } = await interrupted(() => engine.train(config), 'step', 10, 2);
    expect(result.state).toBe('stopped');
    const saved = (await engine.listCheckpoints()).find((r) => r.runId === result.runId)!;
    expect(saved).toMatchObject({ step: 8, finished: false });
    const resumed = await interrupted(() => engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, resumeFrom: saved.runId, checkpoint: config.checkpoint }), 'step', -1);
    expect(resumed.result.state).toBe('done');
    expect(resumed.losses).toHaveLength(full.length - 8);
    const diff = maxDiff(resumed.losses, full.slice(8));
    console.log(`table LoRA resume from step 8: max |loss diff| = ${diff}`);
    expect(diff).toBeLessThan(1e-6);
  });

  it('resumes a stopped run from the step it stopped at', async () => {
    const { result } = await interrupted(() => engine.train(config), 'step', 6);
    const resumed = await interrupted(() => engine.train({ ...config, resumeFrom: result.runId }), 'step', -1);
    expect(maxDiff(resumed.losses, full.slice(6))).toBeLessThan(1e-6);
    expect(resumed.losses).toHaveLength(full.length - 6);
  });

  it('refuses to resume on another dataset, and deletes saved runs', async () => {
    const { result } = await interrupted(() => engine.train(config), 'step', 3);
    await engine.setSplit({ validationFraction: 0.3, seed: 7 });
    const error = await errorOf(engine.train({ ...config, resumeFrom: result.runId }));
    expect(error).toMatchObject({ code: 'resume-mismatch' });
    expect(error.message).toMatch(/Load the same model and dataset/);
    for (const run of await engine.listCheckpoints()) await engine.deleteCheckpoint(run.runId);
    expect(await engine.listCheckpoints()).toEqual([]);
  });
});

describe('checkpoints and resume on a language model (CPU)', () => {
  let full: number[] = [];
  let fullEvals: number[] = [];
  const config: LmTrainConfig = {
    ...DEFAULT_LM_TRAIN_CONFIG,
    steps: 12,
    schedule: { kind: 'cosine', warmupSteps: 2 },
    batchSize: 4,
    gradAccumulation: 2,
    evalEvery: 4,
    learningRate: 5e-3,
    checkpoint: { everySteps: 5, everySeconds: 0 },
  };
  const evalLosses = () => events.flatMap((e) => (e.type === 'eval' ? [e.point.validationLoss] : []));

  it('trains tiny-gpt2 uninterrupted', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ prompt: `count ${i}:`, completion: ` ${i + 1} ${i + 2}` })).join('\n');
    const summary = await engine.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}tiny-gpt2/base`) });
    await engine.lmImportText('count.jsonl', new Blob([lines]), { ...DEFAULT_LM_DATASET_OPTIONS, maxLength: 24 });
    const plan: TrainPlan = Object.fromEntries(summary.modules.filter((m) => m.name === 'c_attn').map((m) => [m.path, { kind: 'lora', r: 4, alpha: 8, dropout: 0.1 }]));
    await engine.lmSetPlan(plan, 4, 24);
    events.length = 0;
    const { result, losses } = await interrupted(() => engine.train(config), 'step', -1);
    full = losses;
    fullEvals = evalLosses();
    expect(result.state).toBe('done');
    expect(full).toHaveLength(12);
  });

  it('resumes after a cut-off at the step-5 checkpoint with the same losses', async () => {
    const { result } = await interrupted(() => engine.train(config), 'step', 7, 1);
    expect((await engine.listCheckpoints()).find((r) => r.runId === result.runId)).toMatchObject({ kind: 'lm', step: 5, finished: false });
    const resumed = await interrupted(() => engine.train({ ...config, resumeFrom: result.runId }), 'step', -1);
    const diff = maxDiff(resumed.losses, full.slice(5));
    console.log(`LM resume from step 5: max |loss diff| = ${diff}`);
    expect(resumed.losses).toHaveLength(7);
    expect(diff).toBeLessThan(1e-6);
    expect(maxDiff(resumed.result.evals.map((e) => e.validationLoss), fullEvals)).toBeLessThan(1e-6);
  });

  it('resumes a run stopped just before an evaluation, evaluating first', async () => {
    const { result } = await interrupted(() => engine.train(config), 'step', 8);
    events.length = 0;
    const resumed = await interrupted(() => engine.train({ ...config, resumeFrom: result.runId }), 'step', -1);
    expect(maxDiff(resumed.losses, full.slice(8))).toBeLessThan(1e-6);
    expect(resumed.result.evals.map((e) => e.step)).toEqual([4, 8, 12]);
    expect(maxDiff(resumed.result.evals.map((e) => e.validationLoss), fullEvals)).toBeLessThan(1e-6);
  });

  it('refuses a language-model checkpoint for an image or table run', async () => {
    const lmRun = (await engine.listCheckpoints()).find((r) => r.kind === 'lm')!;
    expect(await errorOf(engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, resumeFrom: lmRun.runId }))).toMatchObject({ code: 'resume-mismatch' });
  });
});
