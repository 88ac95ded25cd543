/**
 * The training loop on real WebGPU (Dawn in Node, SwiftShader on machines without a GPU): the same
 * losses as the CPU backend within float tolerance, and no tensor growth across steps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, type ClassifierTrainConfig } from '../api.ts';
import { startBackend } from '../backend/startBackend.ts';
import { createRng } from '../data/rng.ts';
import { expectFlatTensorCounts } from '../testing/expectFlatTensorCounts.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { requireDawnGpu } from '../testing/requireDawnGpu.ts';
import { tf, type Tensor1D, type Tensor2D } from '../tf.ts';
import { createHead, disposeHead } from './head.ts';
import { headTask, type TrainData } from './headTask.ts';
import { runTrainLoop } from './trainLoop.ts';

function data(): TrainData {
  const rng = createRng(11);
  const n = 48;
  const x = Float32Array.from({ length: n * 16 }, (_, i) => ((i % 16) % 3 === Math.floor(i / 16) % 3 ? 1.5 : 0) + rng() - 0.5);
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  return {
    trainX: tf.tensor2d(x.slice(0, 36 * 16), [36, 16]) as Tensor2D,
    trainY: tf.tensor1d(y.slice(0, 36), 'int32') as Tensor1D,
    valX: tf.tensor2d(x.slice(36 * 16), [12, 16]) as Tensor2D,
    valY: tf.tensor1d(y.slice(36), 'int32') as Tensor1D,
    numClasses: 3,
    classes: ['a', 'b', 'c'],
  };
}

async function run(): Promise<{ losses: number[]; counts: number[] }> {
  const d = data();
  const head = createHead(16, 3, createRng(2));
  const losses: number[] = [];
  const counts: number[] = [];
  const config: ClassifierTrainConfig = { ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 4, batchSize: 8 };
  await runTrainLoop(headTask(head, d, config.epochs), config, {
    onStep: (p) => {
      losses.push(p.loss);
      counts.push(tf.memory().numTensors);
    },
    onEval: () => {},
    shouldStop: () => false,
  });
  disposeHead(head);
  for (const t of [d.trainX, d.trainY, d.valX, d.valY]) t.dispose();
  return { losses, counts };
}

describe('runTrainLoop on WebGPU (Dawn)', () => {
  let cpu: number[] = [];
  beforeAll(() => requireDawnGpu());
  beforeAll(async () => {
    await startBackend('cpu');
    cpu = (await run()).losses;
  });
  afterAll(() => tf.disposeVariables());

  it('runs on the webgpu backend, matches the CPU losses and leaks nothing', async () => {
    const report = await startBackend('webgpu');
    expect(report.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const gpu = await expectNoTensorLeak(() => run());
    expect(gpu.losses).toHaveLength(cpu.length);
    gpu.losses.forEach((l, i) => expect(Math.abs(l - cpu[i]!)).toBeLessThan(1e-3));
    // The first step makes the optimizer's slots.
    expectFlatTensorCounts(gpu.counts, { skip: 1, inFlight: 1 });
  });
});
