/**
 * The loop with 'steps' batches on a least-squares task whose loss is a plain mean over rows:
 * gradient accumulation against the equivalent larger batch, evaluation cadence, stop and resume,
 * a NaN rolled back before its update, and a flat tensor count with accumulation and clipping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LM_TRAIN_CONFIG, type EvalPoint, type LmTrainConfig } from '../api.ts';
import { createRng } from '../data/rng.ts';
import { expectFlatTensorCounts } from '../testing/expectFlatTensorCounts.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf, type Scalar, type Tensor1D, type Tensor2D } from '../tf.ts';
import { emptyHistory, type LoopState } from './checkpoint.ts';
import { runTrainLoop, type TrainLoopHooks, type TrainLoopSpec } from './trainLoop.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => tf.disposeVariables());

const N = 24;
const F = 3;

/** loss = mean over rows of (x . w - y)^2 on fixed random rows; validation: the same over every row. */
function leastSquares(gradAccumulation: number, extra: { steps?: number; evalEvery?: number } = {}): { spec: TrainLoopSpec<number>; w: tf.Variable; dispose: () => void } {
  const rng = createRng(5);
  const x = tf.tensor2d(Float32Array.from({ length: N * F }, () => rng() * 2 - 1), [N, F]) as Tensor2D;
  const y = tf.tensor1d(Float32Array.from({ length: N }, () => rng() * 2 - 1)) as Tensor1D;
  const w = tf.variable(tf.tensor1d([0.3, -0.2, 0.1]), true);
  const loss = (rows: number[]): Scalar => {
    const idx = tf.tensor1d(rows, 'int32');
    const pred = tf.reshape(tf.matMul(tf.gather(x, idx), tf.reshape(w, [F, 1])), [-1]); // [B]
    return tf.mean(tf.square(tf.sub(pred, tf.gather(y, idx)))) as Scalar;
  };
  const all = Array.from({ length: N }, (_, i) => i);
  const spec: TrainLoopSpec<number> = {
    params: [{ variable: w, decay: true }],
    batches: { kind: 'steps', rows: all, steps: extra.steps ?? 6, gradAccumulation, evalEvery: extra.evalEvery ?? 2 },
    batchLoss: (rows) => loss(rows),
    countTokens: (rows) => rows.length * 10,
    evaluate: async () => {
      const l = tf.tidy(() => loss(all));
      const v = (await l.data())[0]!;
      l.dispose();
      return { metrics: { validationLoss: v }, detail: v };
    },
  };
  return { spec, w, dispose: () => tf.dispose([x, y, w]) };
}

const settings = (extra: Partial<LmTrainConfig> = {}): LmTrainConfig => ({ ...DEFAULT_LM_TRAIN_CONFIG, learningRate: 0.05, weightDecay: 0.01, clipNorm: 0, ...extra });
const hooks = (extra: Partial<TrainLoopHooks> = {}): TrainLoopHooks => ({ onStep: () => {}, onEval: () => {}, shouldStop: () => false, ...extra });

describe('runTrainLoop with steps batches', () => {
  it('accumulates k micro-batches of b rows as one batch of k*b rows', async () => {
    const run = async (k: number, batchSize: number) => {
      const { spec, w, dispose } = leastSquares(k);
      const losses: number[] = [];
      await runTrainLoop(spec, settings({ batchSize, schedule: { kind: 'cosine', warmupSteps: 1 } }), hooks({ onStep: (p) => losses.push(p.loss) }));
      const weights = Array.from(await w.data());
      dispose();
      return { losses, weights };
    };
    const micro = await run(3, 4);
    const whole = await run(1, 12);
    expect(micro.losses).toHaveLength(6);
    micro.weights.forEach((v, i) => expect(Math.abs(v - whole.weights[i]!)).toBeLessThan(1e-6));
    micro.losses.forEach((v, i) => expect(Math.abs(v - whole.losses[i]!)).toBeLessThan(1e-6));
    expect(micro.weights).not.toEqual([0.3, -0.2, 0.1]);
  });

  it('evaluates every evalEvery steps and at the end (evalEvery 0: at the end only), with learning rate and tokens per second', async () => {
    const every = async (evalEvery: number, steps: number) => {
      const { spec, dispose } = leastSquares(2, { evalEvery, steps });
      const points: EvalPoint[] = [];
      const tps: number[] = [];
      const out = await runTrainLoop(spec, settings({ batchSize: 4 }), hooks({ onEval: (p) => points.push(p), onStep: (p) => tps.push(p.tokensPerSecond!) }));
      dispose();
      expect(out.evals).toEqual(points);
      expect(tps.every((t) => t > 0)).toBe(true);
      return { steps: points.map((p) => p.step), out };
    };
    expect((await every(2, 7)).steps).toEqual([2, 4, 6, 7]);
    expect((await every(3, 6)).steps).toEqual([3, 6]);
    const atEnd = await every(0, 5);
    expect(atEnd.steps).toEqual([5]);
    expect(atEnd.out.lastEvaluation!.detail).toBe(atEnd.out.evals[0]!.validationLoss);
  });

  it('resumes from a stopped checkpoint with the losses of the uninterrupted run, the pending evaluation first', async () => {
    const run = async (stopAt: number, resumeState?: LoopState) => {
      const { spec, dispose } = leastSquares(2, { steps: 10, evalEvery: 3 });
      const losses: number[] = [];
      let stopped: LoopState | null = null;
      const out = await runTrainLoop(spec, settings({ batchSize: 5 }), hooks({
        onStep: (p) => losses.push(p.loss),
        shouldStop: () => losses.length >= stopAt,
        onCheckpoint: async (s, final) => void (final === 'stopped' && (stopped = s)),
        resumeState,
      }));
      dispose();
      return { losses, out, stopped: stopped as LoopState | null };
    };
    const full = await run(Infinity);
    const first = await run(6); // step 6 is due an evaluation: the stop comes first
    expect(first.out.state).toBe('stopped');
    expect(first.stopped!.position).toMatchObject({ kind: 'lm', pendingEval: true });
    // A stopped run is evaluated too (after its checkpoint), so the caller has the latest metrics.
    expect(first.out.evals.map((e) => e.step)).toEqual([3, 6]);
    const rest = await run(Infinity, first.stopped!);
    expect([...first.losses, ...rest.losses]).toEqual(full.losses);
    expect(rest.out.evals).toEqual(full.out.evals);
    expect(rest.out.finalLoss).toBe(full.out.finalLoss);
  });

  it('catches a NaN step (read back while the next one runs) and leaves the weights at the last good checkpoint', async () => {
    const { spec, w, dispose } = leastSquares(2, { steps: 10 });
    let calls = 0;
    // The 9th micro-batch (step 5's first) is NaN.
    const poisoned: TrainLoopSpec<number> = { ...spec, batchLoss: (rows, at) => (++calls === 9 ? (spec.batchLoss(rows, at).mul(Number.NaN) as Scalar) : spec.batchLoss(rows, at)) };
    const states: LoopState[] = [];
    const steps: number[] = [];
    const out = await runTrainLoop(poisoned, settings({ batchSize: 4 }), hooks({
      onStep: (p) => steps.push(p.step),
      checkpoint: { everySteps: 3, everySeconds: 0 },
      onCheckpoint: async (s) => void states.push(s),
    }));
    expect(steps).toEqual([1, 2, 3, 4]);
    expect(out.rolledBack).toMatchObject({ atStep: 5, toStep: 3 });
    expect(out).toMatchObject({ state: 'stopped', steps: 3 });
    expect(out.evals.map((e) => e.step)).toEqual([2]);
    expect(Array.from(await w.data())).toEqual(Array.from(states.find((s) => s.step === 3)!.weights[0]!.values));
    expect(out.lastEvaluation).not.toBeNull();
    dispose();
  });

  it('keeps the tensor count flat across steps with accumulation and clipping', async () => {
    const { spec, dispose } = leastSquares(3, { steps: 12, evalEvery: 4 });
    const counts: number[] = [];
    await expectNoTensorLeak(() => runTrainLoop(spec, settings({ batchSize: 4, clipNorm: 0.1 }), hooks({ onStep: () => counts.push(tf.memory().numTensors) })));
    // Steps due an evaluation (every 4th) are reported with no next step in flight; the others with one (its loss tensor).
    expectFlatTensorCounts(counts.filter((_, i) => (i + 1) % 4 !== 0));
    expectFlatTensorCounts(counts.filter((_, i) => (i + 1) % 4 === 0));
    dispose();
  });

  it("enqueues the next step before reading a step's loss, except before an evaluation; every step is reported, nothing leaks", async () => {
    const { spec, dispose } = leastSquares(1, { steps: 6, evalEvery: 3 });
    const events: string[] = [];
    const traced: TrainLoopSpec<number> = {
      ...spec,
      batchLoss: (rows, at) => (events.push(`loss ${at.step}`), spec.batchLoss(rows, at)),
      evaluate: () => (events.push('eval'), spec.evaluate()),
    };
    const history: number[] = [];
    const out = await expectNoTensorLeak(() => runTrainLoop(traced, settings({ batchSize: 4 }), hooks({ onStep: (p) => (events.push(`step ${p.step}`), history.push(p.loss)) })));
    // Step k's loss is read (and onStep called) after step k+1's batch loss and update are enqueued;
    // an evaluation needs the weights after its step, so the step before it waits for its loss.
    expect(events).toEqual(['loss 0', 'loss 1', 'step 1', 'loss 2', 'step 2', 'step 3', 'eval', 'loss 3', 'loss 4', 'step 4', 'loss 5', 'step 5', 'step 6', 'eval']);
    expect(history).toHaveLength(6);
    expect(history.every(Number.isFinite)).toBe(true);
    expect(out.finalLoss).toBe(history[5]);
    dispose();
  });

  it('a stop asked while the next step is in flight ends the run after that step, checkpointed there', async () => {
    const { spec, w, dispose } = leastSquares(1, { steps: 10, evalEvery: 0 });
    let stop = false;
    const steps: number[] = [];
    let saved: LoopState | null = null;
    const out = await runTrainLoop(spec, settings({ batchSize: 4 }), hooks({
      onStep: (p) => {
        steps.push(p.step);
        if (p.step === 1) stop = true;
      },
      shouldStop: () => stop,
      onCheckpoint: async (s, final) => void (final === 'stopped' && (saved = s)),
    }));
    expect(steps).toEqual([1, 2]);
    expect(out).toMatchObject({ state: 'stopped', steps: 2 });
    expect(saved!.step).toBe(2);
    expect(Array.from(saved!.weights[0]!.values)).toEqual(Array.from(await w.data()));
    dispose();
  });

  it('refuses a checkpoint of the other kind of batches', async () => {
    const { spec, dispose } = leastSquares(1);
    const state = { step: 1, totalSteps: 4, lastLoss: 1, elapsedMs: 0, weights: [], optimizer: { step: 1, m: [], v: [] }, rng: {}, position: { kind: 'epochs', epoch: 1, batch: 1, order: Int32Array.of(0), epochLossSum: 0, epochSteps: 1, epochs: [] }, history: emptyHistory(1) } satisfies LoopState;
    await expect(runTrainLoop(spec, settings(), hooks({ resumeState: state }))).rejects.toThrow(/image or table run/);
    dispose();
  });
});
