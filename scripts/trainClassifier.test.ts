import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { makeShapeImages } from './shapeImages.ts';
import { PRETRAIN_CLASSES } from './shapes.ts';
import { buildShapesCnn } from './shapesCnn.ts';
import { accuracy, trainClassifier } from './trainClassifier.ts';
import { registerFastWasmConv2DBackpropInput } from '../src/kernels/wasm/wasmConv2DBackpropInput.ts';
import { registerWasmConv2DBackpropFilter } from '../src/kernels/wasm/wasmConv2DBackpropFilter.ts';

/** Trains the built-in CNN for a few steps on wasm, as scripts/pretrain.ts does, and returns the epoch losses. */
async function trainBriefly(seed: number): Promise<{ losses: number[]; weights: number[] }> {
  const images = makeShapeImages(PRETRAIN_CLASSES, 8, 5, 32);
  const x = tf.tensor4d(images.pixels, [images.count, 32, 32, 3]); // [64, 32, 32, 3]
  const y = tf.tensor1d(images.labels, 'float32'); // [64]
  const model = buildShapesCnn(PRETRAIN_CLASSES.length, seed);
  const optimizer = tf.train.adam(0.003);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const losses: number[] = [];
  await trainClassifier(model, x, y, { epochs: 4, batchSize: 16, seed, onEpoch: (_, loss) => void losses.push(loss) });
  const acc = accuracy(model, x, y, 20);
  expect(acc).toBeGreaterThanOrEqual(0);
  expect(acc).toBeLessThanOrEqual(1);
  const weights = Array.from(model.getLayer('conv1').getWeights()[0]!.dataSync());
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return { losses, weights };
}

describe('trainClassifier on wasm', () => {
  beforeAll(async () => {
    registerWasmConv2DBackpropFilter();
    registerFastWasmConv2DBackpropInput();
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it('trains the built-in CNN (the loss falls), reproducibly for a seed, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const first = await trainBriefly(1);
    expect(first.losses).toHaveLength(4);
    expect(first.losses[3]!).toBeLessThan(first.losses[0]!);
    const second = await trainBriefly(1);
    expect(second.weights).toEqual(first.weights);
    expect(tf.memory().numTensors).toBe(before);
  });
});
