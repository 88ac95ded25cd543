import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
// The full bundle: it registers the gradients and the cpu backend.
import { tf } from '../../tf.ts';
import '@tensorflow/tfjs-backend-wasm';
import { convGradient, cpuAndWasm, maxScaledError, randomValues, type ConvCase } from './convGradientHarness.ts';
import { registerWasmConv2DBackpropFilter } from './wasmConv2DBackpropFilter.ts';

describe('registerWasmConv2DBackpropFilter', () => {
  beforeAll(() => {
    registerWasmConv2DBackpropFilter();
  });
  // cpuAndWasm switches backends: every test starts on wasm, even after one failed half way.
  beforeEach(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });

  const cases: ConvCase[] = [
    { name: '3x3 same, stride 1', x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
    { name: '3x3 valid, stride 1', x: [2, 7, 9, 2], f: [3, 3, 2, 5], stride: 1, pad: 'valid' },
    { name: '3x3 same, stride 2', x: [1, 9, 9, 3], f: [3, 3, 3, 2], stride: 2, pad: 'same' },
    { name: '3x3 valid, stride 2', x: [2, 10, 9, 3], f: [3, 3, 3, 2], stride: 2, pad: 'valid' },
    { name: '5x3 same, stride 1', x: [3, 6, 6, 4], f: [5, 3, 4, 3], stride: 1, pad: 'same' },
    { name: '2x2 same, stride 1 (asymmetric padding)', x: [2, 7, 7, 3], f: [2, 2, 3, 2], stride: 1, pad: 'same' },
    { name: 'conv2 of the built-in model', x: [4, 16, 16, 16], f: [3, 3, 16, 32], stride: 1, pad: 'same' },
  ];

  it.each(cases)('matches the cpu backend: $name', async (c) => {
    const { expected, actual } = await cpuAndWasm('filter', c);
    expect(actual.length).toBe(expected.length);
    expect(maxScaledError(expected, actual)).toBeLessThan(1e-5);
  });

  it('does not leak tensors', async () => {
    await expectNoTensorLeak(() => convGradient('filter', randomValues(2 * 8 * 8 * 3, 3), [2, 8, 8, 3], randomValues(3 * 3 * 3 * 4, 4), [3, 3, 3, 4], 1, 'same'));
  });
});
