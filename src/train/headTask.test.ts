import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, type ClassifierTrainConfig } from '../api.ts';
import { createRng } from '../data/rng.ts';
import { expectFlatTensorCounts } from '../testing/expectFlatTensorCounts.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf, type Tensor1D, type Tensor2D } from '../tf.ts';
import { createHead, disposeHead } from './head.ts';
import { headTask, stepsPerEpoch, type TrainData } from './headTask.ts';
import type { Head } from './head.ts';
import { runTrainLoop, type TrainLoopHooks } from './trainLoop.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => tf.disposeVariables());

/** Three separable clusters in 8-D: a head must learn them. */
function clusters(nPerClass: number, seed: number): { x: Float32Array; y: Int32Array } {
  const rng = createRng(seed);
  const x = new Float32Array(nPerClass * 3 * 8);
  const y = new Int32Array(nPerClass * 3);
  for (let i = 0; i < nPerClass * 3; i++) {
    const c = i % 3;
    y[i] = c;
    for (let d = 0; d < 8; d++) x[i * 8 + d] = (d % 3 === c ? 2 : 0) + (rng() - 0.5);
  }
  return { x, y };
}

function makeData(): TrainData {
  const tr = clusters(20, 1);
  const va = clusters(5, 2);
  return {
    trainX: tf.tensor2d(tr.x, [60, 8]) as Tensor2D,
    trainY: tf.tensor1d(tr.y, 'int32') as Tensor1D,
    valX: tf.tensor2d(va.x, [15, 8]) as Tensor2D,
    valY: tf.tensor1d(va.y, 'int32') as Tensor1D,
    numClasses: 3,
    classes: ['a', 'b', 'c'],
  };
}

const noop: TrainLoopHooks = { onStep: () => {}, onEval: () => {}, shouldStop: () => false };

function trainHead(head: Head, data: TrainData, config: ClassifierTrainConfig, hooks: TrainLoopHooks) {
  return runTrainLoop(headTask(head, data, config.epochs), config, hooks);
}

describe('headTask in the training loop', () => {
  it('lowers the loss and learns separable classes', async () => {
    const data = makeData();
    const head = createHead(8, 3, createRng(3));
    const losses: number[] = [];
    const epochOfStep: number[] = [];
    const result = await trainHead(head, data, { ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 10, batchSize: 8, learningRate: 0.05 }, {
      ...noop,
      onStep: (p) => (losses.push(p.loss), epochOfStep.push(p.epoch!)),
    });
    expect(result.state).toBe('done');
    expect(result.steps).toBe(10 * stepsPerEpoch(60, 8));
    expect(losses).toHaveLength(result.steps);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    // One evaluation per epoch, at its last step, with the mean training loss of its steps.
    const perEpoch = stepsPerEpoch(60, 8);
    expect(result.evals.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result.evals.map((e) => e.step)).toEqual(result.evals.map((e) => e.epoch! * perEpoch));
    expect(epochOfStep).toEqual(losses.map((_, i) => Math.floor(i / perEpoch) + 1));
    result.evals.forEach((e, i) => expect(e.trainLoss).toBeCloseTo(losses.slice(i * perEpoch, (i + 1) * perEpoch).reduce((a, b) => a + b, 0) / perEpoch, 6));
    expect(result.evals.at(-1)!.validationAccuracy).toBeGreaterThan(0.9);
    expect(result.lastEvaluation!.detail.predictions).toHaveLength(15);
    disposeHead(head);
  });

  it('does not grow the tensor count across steps', async () => {
    const data = makeData();
    const head = createHead(8, 3, createRng(3));
    const counts: number[] = [];
    await expectNoTensorLeak(() =>
      trainHead(head, data, { ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 3, batchSize: 8 }, {
        ...noop,
        onStep: () => counts.push(tf.memory().numTensors),
      }),
    );
    expect(counts.length).toBeGreaterThan(20);
    expectFlatTensorCounts(counts, { inFlight: 1 });
    disposeHead(head);
  });

  it('is repeatable for a seed and stops when asked', async () => {
    const run = async (seed: number, stopAfter = Infinity) => {
      const data = makeData();
      const head = createHead(8, 3, createRng(seed));
      const losses: number[] = [];
      const result = await trainHead(head, data, { ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 2, batchSize: 8, seed }, {
        ...noop,
        onStep: (p) => losses.push(p.loss),
        shouldStop: () => losses.length >= stopAfter,
      });
      disposeHead(head);
      return { losses, result };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).not.toEqual(a.losses);
    const stopped = await run(5, 3);
    expect(stopped.result.state).toBe('stopped');
    // Asked after step 3, when step 4 was already enqueued (its loss is read back while it runs): it ends after step 4.
    expect(stopped.losses).toEqual(a.losses.slice(0, 4));
  });
});
