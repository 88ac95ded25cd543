/**
 * The loop's controls, on tiny tasks whose numbers can be worked out by hand: the learning-rate
 * schedule, early stopping, pause/resume and stop, and clipping without leaks.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, type ClassifierTrainConfig } from '../api.ts';
import { expectFlatTensorCounts } from '../testing/expectFlatTensorCounts.ts';
import { tf, type Scalar } from '../tf.ts';
import { runTrainLoop, type LoopEvaluation, type TrainLoopHooks, type TrainLoopSpec } from './trainLoop.ts';
import { PauseGate } from './pauseGate.ts';
import { learningRateAt } from './schedule.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => tf.disposeVariables());

/** loss = w (gradient exactly 1 every step), validation loss from a script: the loop's behaviour is all that varies. */
function linearTask(valLosses: number[] = [], epochs = 1): { task: TrainLoopSpec<null>; w: tf.Variable } {
  const w = tf.variable(tf.scalar(0), true);
  let evaluation = 0;
  const task: TrainLoopSpec<null> = {
    params: [{ variable: w, decay: false }],
    batches: { kind: 'epochs', trainSize: 4, epochs },
    batchLoss: () => w.mul(1) as Scalar,
    evaluate: async (): Promise<LoopEvaluation<null>> => ({ metrics: { validationLoss: valLosses[evaluation++] ?? 1, validationAccuracy: 0.5 }, detail: null }),
  };
  return { task, w };
}

const hooks = (extra: Partial<TrainLoopHooks> = {}): TrainLoopHooks => ({ onStep: () => {}, onEval: () => {}, shouldStop: () => false, ...extra });
const config = (extra: Partial<ClassifierTrainConfig>): ClassifierTrainConfig => ({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, batchSize: 2, weightDecay: 0, ...extra });
const run = (valLosses: number[], cfg: ClassifierTrainConfig, h: TrainLoopHooks) => runTrainLoop(linearTask(valLosses, cfg.epochs).task, cfg, h);

describe('runTrainLoop controls', () => {
  it('follows the warm-up + cosine schedule step by step', async () => {
    const cfg = config({ epochs: 4, learningRate: 0.1, schedule: { kind: 'cosine', warmupSteps: 3 } });
    const { task, w } = linearTask([], cfg.epochs);
    // The weight as each step starts, then at the end (onStep may come after the next step's update: the loss is read back late).
    const starts: number[] = [];
    const rates: number[] = [];
    const loss = task.batchLoss;
    task.batchLoss = (rows, at) => (starts.push(w.dataSync()[0]!), loss(rows, at));
    await runTrainLoop(task, cfg, hooks({ onStep: (p) => rates.push(p.learningRate) }));
    const weights = [...starts.slice(1), w.dataSync()[0]!];
    // With a constant gradient, each Adam step moves w by exactly lr_t (m/sqrt(v) = 1 after bias correction).
    const totalSteps = 8;
    const deltas = weights.map((x, i) => (i === 0 ? x : x - weights[i - 1]!));
    deltas.forEach((d, step) => expect(d).toBeCloseTo(-learningRateAt(cfg.schedule!, 0.1, step, totalSteps), 5));
    expect(deltas[0]).toBeCloseTo(0, 6); // transformers' warm-up starts at 0
    expect(rates).toEqual(deltas.map((_, step) => learningRateAt(cfg.schedule!, 0.1, step, totalSteps)));
  });

  it('stops early when the validation loss stops improving', async () => {
    const logs: string[] = [];
    const out = await run([1, 0.8, 0.85, 0.9, 0.7], config({ epochs: 5, earlyStopping: { patience: 2 } }), hooks({ onLog: (m) => logs.push(m) }));
    // Epoch 2 is the best; epochs 3 and 4 do not improve, so the run ends after epoch 4 of 5.
    expect(out.stoppedEarly).toBe(true);
    expect(out.evals.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(out.state).toBe('done');
    expect(logs[0]).toMatch(/after epoch 4/);
  });

  it('runs every epoch when patience is 0', async () => {
    const out = await run([1, 2, 3, 4], config({ epochs: 4, earlyStopping: { patience: 0 } }), hooks());
    expect(out.stoppedEarly).toBe(false);
    expect(out.evals).toHaveLength(4);
  });

  it('holds between steps while paused, then goes on; stop ends it', async () => {
    const gate = new PauseGate();
    let steps = 0;
    let stop = false;
    const running = run([], config({ epochs: 50 }), hooks({
      onStep: () => {
        steps += 1;
        if (steps === 3) gate.pause();
        // Stop from a step after the resume, not after a timer: a fast machine ran all 100 steps in 20 ms.
        if (steps === 6) stop = true;
      },
      waitIfPaused: () => gate.wait(),
      shouldStop: () => stop,
    }));
    await vi.waitFor(() => expect(steps).toBe(3));
    await new Promise((r) => setTimeout(r, 50));
    expect(steps).toBe(3);
    gate.resume();
    const out = await running;
    expect(out.state).toBe('stopped');
    expect(out.steps).toBe(steps);
    expect(steps).toBeGreaterThanOrEqual(6);
    expect(steps).toBeLessThan(10);
  });

  it('leaves paused time out of the elapsed time it reports', async () => {
    let clock = 0;
    const elapsed: number[] = [];
    await run([], config({ epochs: 1 }), hooks({
      now: () => clock,
      onStep: (_p, _t, ms) => {
        elapsed.push(ms);
        clock += 10; // each step "takes" 10 ms
      },
      waitIfPaused: async () => {
        clock += 1000; // paused for a second after every step
      },
    }));
    // Recorded before each step's 10 ms is added; without the fix the second would be 1010.
    expect(elapsed).toEqual([0, 10]);
  });

  it('clips without leaking tensors', async () => {
    const counts: number[] = [];
    await run([], config({ epochs: 5, clipNorm: 0.5 }), hooks({ onStep: () => counts.push(tf.memory().numTensors) }));
    // The first step makes the optimizer's slots. Each epoch's first step is reported with the second
    // in flight (its loss tensor alive); the second, due an evaluation, with none.
    expectFlatTensorCounts(counts.filter((_, i) => i % 2 === 0), { skip: 1 });
    expectFlatTensorCounts(counts.filter((_, i) => i % 2 === 1));
    expect(counts[2]! - counts[1]!).toBe(1);
  });
});
