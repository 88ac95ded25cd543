/**
 * Checkpoints at the loop level: the byte format, the RNG state, the optimizer state, a resumed run
 * that goes on exactly as the uninterrupted one, and a NaN loss rolled back to the last good state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, type ClassifierTrainConfig, type EvalPoint } from '../api.ts';
import { createRng, rngState, setRngState } from '../data/rng.ts';
import { tf, type Scalar, type Tensor1D, type Tensor2D } from '../tf.ts';
import { AdamW } from './adamw.ts';
import { deserializeCheckpoint, fingerprint, nonFiniteMessage, serializeCheckpoint, type Checkpoint, type LoopState } from './checkpoint.ts';
import { createHead, disposeHead } from './head.ts';
import { headTask, type ValidationPass } from './headTask.ts';
import { runTrainLoop, type TrainLoopHooks, type TrainLoopSpec } from './trainLoop.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => tf.disposeVariables());

const maxDiff = (a: number[], b: number[]) => Math.max(0, ...a.map((x, i) => Math.abs(x - b[i]!)));

describe('RNG state', () => {
  it('continues the same sequence from a saved state, and leaves seeded sequences as they were', () => {
    const a = createRng(7);
    const first = [a(), a(), a()];
    expect(first[0]).toBeCloseTo(createRng(7)(), 12);
    const saved = rngState(a);
    const next = [a(), a()];
    const b = createRng(123);
    setRngState(b, saved);
    expect([b(), b()]).toEqual(next);
  });
});

describe('checkpoint bytes', () => {
  it('round-trips weights, moments, orders and non-finite numbers', () => {
    const state: LoopState = {
      step: 5,
      totalSteps: 10,
      lastLoss: Number.NaN,
      elapsedMs: 12,
      weights: [{ name: 'w', shape: [2, 2], values: Float32Array.of(1, 2, 3, -4) }],
      optimizer: { step: 5, m: [Float32Array.of(0.1, 0.2, 0.3, 0.4)], v: [Float32Array.of(1, 1, 1, 1)] },
      rng: { order: 0xdeadbeef },
      position: { kind: 'epochs', epoch: 2, batch: 1, order: Int32Array.of(3, 1, 2, 0), epochLossSum: 1.5, epochSteps: 1, epochs: [{ epoch: 1, step: 4, trainLoss: 1, validationLoss: Infinity, validationAccuracy: Number.NaN }] },
      history: { firstStep: 1, loss: Float32Array.of(3, 2.5, 2, 1.5, 1), learningRate: Float32Array.of(0.1, 0.1, 0.1, 0.1, 0.1), epoch: Int32Array.of(1, 1, 1, 1, 2) },
    };
    const cp: Checkpoint = {
      meta: { version: 2, runId: 'r', kind: 'table', startedAt: 1, createdAt: 2, step: 5, totalSteps: 10, finished: false, config: DEFAULT_CLASSIFIER_TRAIN_CONFIG, plan: {}, model: { name: 'm', params: 3 }, dataset: { name: 'd', hash: 'h', rows: 4 } },
      state,
    };
    const back = deserializeCheckpoint(serializeCheckpoint(cp));
    expect(back.meta).toEqual(cp.meta);
    expect(back.state.weights[0]!.values).toEqual(state.weights[0]!.values);
    expect(back.state.optimizer.m[0]).toEqual(state.optimizer.m[0]);
    expect(back.state.position).toEqual(state.position);
    expect(back.state.history).toEqual(state.history);
    expect(back.state.lastLoss).toBeNaN();
    expect(back.state.rng.order).toBe(0xdeadbeef);
    expect(() => deserializeCheckpoint(new Uint8Array(16))).toThrow(/not a Tabtune checkpoint/);
  });

  it('fingerprints rows so another dataset differs', () => {
    expect(fingerprint('a', [1, 2, 3])).toBe(fingerprint('a', [1, 2, 3]));
    expect(fingerprint('a', [1, 2, 3])).not.toBe(fingerprint('a', [1, 3, 2]));
  });
});

describe('AdamW state', () => {
  it('exports and imports step and moments', async () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const opt = new AdamW([{ variable: w, decay: false }], { learningRate: 0.1, weightDecay: 0 });
    opt.apply({ [w.name]: tf.tensor1d([0.5, -1]) });
    const state = await opt.exportState();
    expect(state.step).toBe(1);
    const other = new AdamW([{ variable: w, decay: false }], { learningRate: 0.1, weightDecay: 0 });
    other.importState(state);
    expect(other.step).toBe(1);
    expect(await other.exportState()).toEqual(state);
    opt.dispose();
    other.dispose();
    w.dispose();
  });
});

const config: ClassifierTrainConfig = { ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 4, batchSize: 8, learningRate: 0.05, schedule: { kind: 'cosine', warmupSteps: 3 } };

/** A softmax head on fixed random features: the classic transfer task. */
function makeHeadTask(): { task: TrainLoopSpec<ValidationPass>; dispose: () => void } {
  const rng = createRng(3);
  const n = 37;
  const f = 6;
  const x = tf.tensor2d(Float32Array.from({ length: n * f }, () => rng() * 2 - 1), [n, f]) as Tensor2D;
  const y = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => i % 3), 'int32') as Tensor1D;
  const head = createHead(f, 3, createRng(42));
  const task = headTask(head, { trainX: x, trainY: y, valX: x, valY: y, numClasses: 3, classes: ['a', 'b', 'c'] }, config.epochs);
  return { task, dispose: () => (disposeHead(head), x.dispose(), y.dispose()) };
}

async function run(hooks: Partial<TrainLoopHooks>): Promise<{ losses: number[]; states: LoopState[]; out: Awaited<ReturnType<typeof runTrainLoop<ValidationPass>>> }> {
  const { task, dispose } = makeHeadTask();
  const losses: number[] = [];
  const states: LoopState[] = [];
  try {
    const out = await runTrainLoop(task, config, {
      onStep: (p) => losses.push(p.loss),
      onEval: () => {},
      shouldStop: () => false,
      checkpoint: { everySteps: 3, everySeconds: 0 },
      onCheckpoint: async (s) => void states.push(s),
      ...hooks,
    });
    return { losses, states, out };
  } finally {
    dispose();
  }
}

describe('runTrainLoop resume (epochs)', () => {
  it('goes on from a checkpoint with the losses of the uninterrupted run', async () => {
    const full = await run({});
    expect(full.losses).toHaveLength(20);
    // The checkpoint at step 6 (mid-epoch 2), through bytes, as a reload would read it.
    const at6 = full.states.find((s) => s.step === 6)!;
    const state = deserializeCheckpoint(serializeCheckpoint({ meta: {} as Checkpoint['meta'], state: at6 })).state;
    const resumed = await run({ resumeState: state });
    expect(resumed.losses).toHaveLength(14);
    expect(maxDiff(resumed.losses, full.losses.slice(6))).toBe(0);
    expect(resumed.out.evals).toEqual(full.out.evals);
    expect(resumed.out.finalLoss).toBe(full.out.finalLoss);
  });

  it('stopped at an epoch end (its evaluation pending) or mid-epoch, resumes exactly as the uninterrupted run', async () => {
    const full = await run({});
    for (const stopAt of [5, 7]) {
      let stopped: LoopState | null = null;
      let steps = 0;
      const first = await run({
        shouldStop: () => ++steps >= stopAt, // asked once after each step
        onCheckpoint: async (s, final) => void (final === 'stopped' && (stopped = s)),
      });
      expect(first.out.state).toBe('stopped');
      // Step 5 ends epoch 1 (37 rows, batches of 8): the stop comes before its evaluation.
      expect(stopped!.position).toMatchObject({ kind: 'epochs', epoch: stopAt === 5 ? 1 : 2, batch: stopAt === 5 ? 5 : 2, epochs: stopAt === 5 ? [] : [full.out.evals[0]] });
      // The stopped run is still evaluated, for the caller's metrics.
      expect(first.out.evals.at(-1)!.step).toBe(stopAt);
      const state = deserializeCheckpoint(serializeCheckpoint({ meta: {} as Checkpoint['meta'], state: stopped! })).state;
      const rest = await run({ resumeState: state });
      expect([...first.losses, ...rest.losses]).toEqual(full.losses);
      expect(rest.out.evals).toEqual(full.out.evals);
      expect(rest.out.stoppedEarly).toBe(false);
    }
  });

  it('rolls back to the last good checkpoint when the loss becomes NaN', async () => {
    const { task, dispose } = makeHeadTask();
    let calls = 0;
    const poisoned: TrainLoopSpec<ValidationPass> = { ...task, batchLoss: (rows, at) => (++calls === 8 ? (task.batchLoss(rows, at).mul(Number.NaN) as Scalar) : task.batchLoss(rows, at)) };
    const logs: [string, string | undefined][] = [];
    const states: LoopState[] = [];
    try {
      const out = await runTrainLoop(poisoned, config, {
        onStep: () => {},
        onEval: () => {},
        shouldStop: () => false,
        onLog: (m, level) => logs.push([m, level]),
        checkpoint: { everySteps: 3, everySeconds: 0 },
        onCheckpoint: async (s) => void states.push(s),
      });
      expect(out.state).toBe('stopped');
      expect(out.steps).toBe(6);
      expect(out.rolledBack).toEqual({ atStep: 8, toStep: 6, message: nonFiniteMessage(Number.NaN, 8, 6) });
      expect(out.rolledBack!.message).toMatch(/The loss became NaN at step 8; the weights were rolled back to step 6\. Lower the learning rate/);
      expect(logs).toContainEqual([out.rolledBack!.message, 'warn']);
      const at6 = states.find((s) => s.step === 6)!;
      expect(Array.from(await task.params[0]!.variable.data())).toEqual(Array.from(at6.weights[0]!.values));
      expect(Number.isFinite(out.lastEvaluation!.detail.loss)).toBe(true);
      expect(out.evals.every((e: EvalPoint) => e.step <= 6)).toBe(true);
    } finally {
      dispose();
    }
  });

  it('rolls back to the start when no checkpoint was taken yet', async () => {
    const { task, dispose } = makeHeadTask();
    const initial = Array.from(await task.params[0]!.variable.data());
    const poisoned: TrainLoopSpec<ValidationPass> = { ...task, batchLoss: (rows, at) => task.batchLoss(rows, at).mul(Number.POSITIVE_INFINITY) as Scalar };
    try {
      const out = await runTrainLoop(poisoned, config, { onStep: () => {}, onEval: () => {}, shouldStop: () => false });
      expect(out.rolledBack?.message).toMatch(/became infinite at step 1; the weights were rolled back to where the run started/);
      expect(out.steps).toBe(0);
      expect(out.lastEvaluation).toBeNull();
      expect(Array.from(await task.params[0]!.variable.data())).toEqual(initial);
    } finally {
      dispose();
    }
  });
});
