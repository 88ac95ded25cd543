/**
 * Checkpoints through the engine on the CPU backend, with an in-memory store: a run interrupted
 * (stopped, or cut off after a checkpoint as a closed tab would be) and resumed gives the losses of
 * the uninterrupted run to 1e-6, for a table with a LoRA plan (with dropout) and for a language model.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LM_DATASET_OPTIONS, DEFAULT_LM_TRAIN_CONFIG, DEFAULT_SPLIT, DEFAULT_CLASSIFIER_TRAIN_CONFIG, type EngineEvent, type TrainPlan, type LmTrainConfig, type TrainConfig } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { Session } from './session.ts';
import { memoryCheckpointStore, type CheckpointStore } from '../storage/checkpointStore.ts';
import { errorOf } from '../testing/errorOf.ts';
import { readFolder } from '../testing/readFolder.ts';

const CSV = readFileSync(new URL('../../public/datasets/plants-sample.csv', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures/hf-tiny/', import.meta.url));
const TINY_GPT2 = readFolder(`${FIXTURES}tiny-gpt2/base`);
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

/** One session on the CPU backend with its own cuttable store and event log. */
interface Rig {
  session: Session;
  store: ReturnType<typeof cuttableStore>;
  events: EngineEvent[];
  /** Runs `train`, stopping after step `stopAt` (and cutting the store off after `cutAfterPuts` writes). */
  interrupted<R>(train: () => Promise<R>, stopAt: number, cutAfterPuts?: number): Promise<{ result: R; losses: number[] }>;
}

/** Sessions made by the running test (including one computing a reference run): disposed after it. */
const opened: Session[] = [];
afterEach(() => {
  for (const session of opened.splice(0)) session.dispose();
});

/** A fresh session and store: every test makes its own. */
async function rig(): Promise<Rig> {
  const store = cuttableStore();
  const events: EngineEvent[] = [];
  let onEvent: (e: EngineEvent) => void = () => {};
  const session = new Session({ decodeImage: decodeImagePng, checkpoints: store }, (e) => {
    events.push(e);
    onEvent(e);
  });
  opened.push(session);
  await session.setBackend('cpu');
  const interrupted: Rig['interrupted'] = async (train, stopAt, cutAfterPuts = Infinity) => {
    const losses: number[] = [];
    const base = store.puts;
    onEvent = (e) => {
      if (e.type === 'checkpoint' && store.puts - base >= cutAfterPuts) store.cut = true;
      if (e.type === 'step') {
        losses.push(e.point.loss);
        if (e.point.step === stopAt) void session.stop();
      }
    };
    try {
      return { result: await train(), losses };
    } finally {
      onEvent = () => {};
      store.cut = false;
    }
  };
  return { session, store, events, interrupted };
}

/** Memoizes an async computation (the uninterrupted reference run each describe compares against). */
function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= compute());
}

describe('checkpoints and resume on a table with a LoRA plan (CPU)', () => {
  const config: TrainConfig = { ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 3, batchSize: 16, learningRate: 0.01, schedule: { kind: 'linear', warmupSteps: 2 }, checkpoint: { everySteps: 4, everySeconds: 0 } };

  async function tableRig(): Promise<Rig> {
    const r = await rig();
    await r.session.importCsv('plants', new Blob([CSV]), { split: DEFAULT_SPLIT });
    await r.session.loadTabularModel();
    await r.session.setPlan({ dense_1: { kind: 'lora', r: 4, alpha: 8, dropout: 0.2 }, dense_2: { kind: 'full' } }, 16);
    return r;
  }

  /** The uninterrupted run, in a session of its own, with what it left in the store: computed once (by whichever test asks first), read by every test. */
  const uninterrupted = once(async () => {
    const r = await tableRig();
    const { result, losses } = await r.interrupted(() => r.session.train(config), -1);
    const saved = (await r.session.listCheckpoints()).find((c) => c.runId === result.runId);
    const resumeFinished = await errorOf(r.session.train({ ...config, resumeFrom: result.runId }));
    return { result, losses, saved, resumeFinished };
  });

  it('trains uninterrupted, saving checkpoints and a finished one at the end', async () => {
    const { result, losses, saved, resumeFinished } = await uninterrupted();
    expect(result.state).toBe('done');
    expect(result.runId).toBeDefined();
    expect(losses.length).toBeGreaterThan(12);
    expect(saved).toMatchObject({ kind: 'table', finished: true, step: result.steps, totalSteps: result.steps, modelName: expect.any(String), datasetName: 'plants' });
    expect(saved!.bytes).toBeGreaterThan(1000);
    expect(resumeFinished).toMatchObject({ code: 'resume-finished' });
  });

  it('resumes from the last checkpoint after a cut-off run with the same losses', async () => {
    const r = await tableRig();
    const full = (await uninterrupted()).losses;
    // The store stops taking writes after the step-8 checkpoint; the run is stopped at step 10.
    const { result } = await r.interrupted(() => r.session.train(config), 10, 2);
    expect(result.state).toBe('stopped');
    const saved = (await r.session.listCheckpoints()).find((c) => c.runId === result.runId)!;
    expect(saved).toMatchObject({ step: 8, finished: false });
    expect(saved.name).toMatch(/^LoRA r4 \+ 1 layer full · MLP .* · plants · \d{1,2} [A-Z][a-z]{2} \d\d:\d\d$/);
    const fresh = r.events.find((e) => e.type === 'runStarted');
    expect(fresh).toMatchObject({ task: 'classifier', runId: result.runId, resumed: null });
    const before = r.events.length;
    const resumed = await r.interrupted(() => r.session.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, resumeFrom: saved.runId, checkpoint: config.checkpoint }), -1);
    expect(resumed.result.state).toBe('done');
    // The studio is told what the run was: its own settings and plan (not the defaults asked with), and the chart up to step 8.
    const started = r.events.slice(before).find((e) => e.type === 'runStarted');
    if (started?.type !== 'runStarted' || !started.resumed) throw new Error('no runStarted event with the resumed run');
    expect(started.runId).toBe(saved.runId);
    const { resumeFrom: _r, ...savedConfig } = { ...config, resumeFrom: undefined };
    void _r;
    expect(started.resumed).toMatchObject({ runId: saved.runId, config: savedConfig, plan: { dense_1: { kind: 'lora', r: 4, alpha: 8, dropout: 0.2 }, dense_2: { kind: 'full' } }, step: 8 });
    expect(started.resumed.steps.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(started.resumed.steps.map((p) => p.loss)).toEqual(full.slice(0, 8).map((x) => Math.fround(x)));
    expect(started.resumed.steps.every((p) => p.epoch === 1 || p.epoch === 2)).toBe(true);
    expect(started.resumed.evals.map((e) => e.epoch)).toEqual(started.resumed.steps.at(-1)!.epoch === 2 ? [1] : []);
    expect(resumed.losses).toHaveLength(full.length - 8);
    const diff = maxDiff(resumed.losses, full.slice(8));
    console.log(`table LoRA resume from step 8: max |loss diff| = ${diff}`);
    expect(diff).toBeLessThan(1e-6);
  });

  it('resumes a stopped run from the step it stopped at', async () => {
    const r = await tableRig();
    const full = (await uninterrupted()).losses;
    const { result } = await r.interrupted(() => r.session.train(config), 6);
    // Stop asked at step 6: the run ends there, or after step 7 when that step was already enqueued (its loss read back late).
    const at = result.steps;
    expect([6, 7]).toContain(at);
    const resumed = await r.interrupted(() => r.session.train({ ...config, resumeFrom: result.runId }), -1);
    expect(maxDiff(resumed.losses, full.slice(at))).toBeLessThan(1e-6);
    expect(resumed.losses).toHaveLength(full.length - at);
  });

  it('refuses to resume on another dataset, and deletes saved runs', async () => {
    const r = await tableRig();
    const { result } = await r.interrupted(() => r.session.train(config), 3);
    await r.session.setSplit({ validationFraction: 0.3, seed: 7 });
    const error = await errorOf(r.session.train({ ...config, resumeFrom: result.runId }));
    expect(error).toMatchObject({ code: 'resume-mismatch' });
    // The same file split another way: the sentence says how the run read it (the studio re-splits so before resuming).
    expect(error.message).toBe('That run read "plants" with validation 15%, seed 42; it is loaded with validation 30%, seed 7. Read it the same way (the studio does so when you resume there), then resume.');
    expect((await r.session.listCheckpoints())[0]!.datasetReadAs).toEqual({ validationFraction: 0.15, seed: 42 });
    expect(await r.session.listCheckpoints()).not.toEqual([]);
    for (const run of await r.session.listCheckpoints()) await r.session.deleteCheckpoint(run.runId);
    expect(await r.session.listCheckpoints()).toEqual([]);
  });
});

describe('checkpoints and resume on a language model (CPU)', () => {
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

  async function lmRig(): Promise<Rig> {
    const r = await rig();
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ prompt: `count ${i}:`, completion: ` ${i + 1} ${i + 2}` })).join('\n');
    const summary = await r.session.lmLoadModel({ kind: 'files', files: TINY_GPT2 });
    await r.session.lmImportText('count.jsonl', new Blob([lines]), { ...DEFAULT_LM_DATASET_OPTIONS, maxLength: 24 });
    const plan: TrainPlan = Object.fromEntries(summary.modules.filter((m) => m.name === 'c_attn').map((m) => [m.path, { kind: 'lora', r: 4, alpha: 8, dropout: 0.1 }]));
    await r.session.lmSetPlan(plan, 4, 24);
    return r;
  }

  /** The uninterrupted run in a session of its own: its losses and evaluation losses, computed once. */
  const uninterrupted = once(async () => {
    const r = await lmRig();
    const { result, losses } = await r.interrupted(() => r.session.train(config), -1);
    const evals = r.events.flatMap((e) => (e.type === 'eval' ? [e.point.validationLoss] : []));
    return { result, losses, evals };
  });

  it('trains tiny-gpt2 uninterrupted', async () => {
    const { result, losses } = await uninterrupted();
    expect(result.state).toBe('done');
    expect(losses).toHaveLength(12);
  });

  it('resumes after a cut-off at the step-5 checkpoint with the same losses', async () => {
    const r = await lmRig();
    const full = await uninterrupted();
    const { result } = await r.interrupted(() => r.session.train(config), 7, 1);
    expect((await r.session.listCheckpoints()).find((c) => c.runId === result.runId)).toMatchObject({ kind: 'lm', step: 5, finished: false });
    const before = r.events.length;
    const resumed = await r.interrupted(() => r.session.train({ ...config, resumeFrom: result.runId }), -1);
    const started = r.events.slice(before).find((e) => e.type === 'runStarted');
    if (started?.type !== 'runStarted' || !started.resumed) throw new Error('no runStarted event with the resumed run');
    expect(started.resumed.config).toMatchObject({ task: 'lm', steps: 12, evalEvery: 4, gradAccumulation: 2 });
    expect(started.resumed.steps.map((p) => p.loss)).toEqual(full.losses.slice(0, 5).map((x) => Math.fround(x)));
    expect(started.resumed.steps.every((p) => p.tokensPerSecond! > 0 && p.epoch === undefined)).toBe(true);
    expect(started.resumed.evals.map((e) => e.step)).toEqual([4]);
    const diff = maxDiff(resumed.losses, full.losses.slice(5));
    console.log(`LM resume from step 5: max |loss diff| = ${diff}`);
    expect(resumed.losses).toHaveLength(7);
    expect(diff).toBeLessThan(1e-6);
    expect(maxDiff(resumed.result.evals.map((e) => e.validationLoss), full.evals)).toBeLessThan(1e-6);
  });

  it('resumes a run stopped just before an evaluation, evaluating first', async () => {
    const r = await lmRig();
    const full = await uninterrupted();
    const { result } = await r.interrupted(() => r.session.train(config), 8);
    const resumed = await r.interrupted(() => r.session.train({ ...config, resumeFrom: result.runId }), -1);
    expect(maxDiff(resumed.losses, full.losses.slice(8))).toBeLessThan(1e-6);
    expect(resumed.result.evals.map((e) => e.step)).toEqual([4, 8, 12]);
    expect(maxDiff(resumed.result.evals.map((e) => e.validationLoss), full.evals)).toBeLessThan(1e-6);
  });

  it('refuses a language-model checkpoint for an image or table run', async () => {
    const r = await lmRig();
    const { result } = await r.interrupted(() => r.session.train(config), 1);
    const lmRun = (await r.session.listCheckpoints()).find((c) => c.runId === result.runId && c.kind === 'lm')!;
    expect(lmRun).toBeDefined();
    // The same session also holds a table run, which the checkpoint does not fit.
    await r.session.importCsv('plants', new Blob([CSV]), { split: DEFAULT_SPLIT });
    await r.session.loadTabularModel();
    expect(await errorOf(r.session.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, resumeFrom: lmRun.runId }))).toMatchObject({ code: 'resume-mismatch' });
  });
});
