import { beforeAll, describe, expect, it } from 'vitest';
// The full bundle: it registers the gradients and the cpu backend.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerFastWasmConv2DBackpropInput } from './wasmConv2DBackpropInput.ts';

/** Gradient of sum(conv2d(x, filter) * weights) w.r.t. x, on the current backend. */
function inputGradient(
  x: number[],
  xShape: [number, number, number, number],
  filter: number[],
  filterShape: [number, number, number, number],
  strides: number,
  pad: 'same' | 'valid',
): Float32Array {
  return tf.tidy(() => {
    const fs = tf.tensor4d(filter, filterShape); // [kh, kw, C, F]
    const grad = tf.grad((xs: tf.Tensor) => {
      const y = tf.conv2d(xs as tf.Tensor4D, fs, strides, pad); // [B, H', W', F]
      // A non-uniform upstream gradient, so every dy entry matters.
      const weights = tf.sin(tf.mul(tf.reshape(tf.range(0, y.size), y.shape), 0.01));
      return tf.sum(tf.mul(y, weights));
    });
    return grad(tf.tensor4d(x, xShape)).dataSync() as Float32Array;
  });
}

function randomValues(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

describe('registerFastWasmConv2DBackpropInput', () => {
  beforeAll(async () => {
    registerFastWasmConv2DBackpropInput();
    registerFastWasmConv2DBackpropInput(); // idempotent
    await tf.setBackend('wasm');
    await tf.ready();
  });

  const cases: Array<{ name: string; x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: 'same' | 'valid' }> = [
    { name: '3x3 same, stride 1', x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
    { name: '3x3 valid, stride 1', x: [2, 7, 9, 2], f: [3, 3, 2, 5], stride: 1, pad: 'valid' },
    { name: '5x3 same, stride 1', x: [3, 6, 6, 4], f: [5, 3, 4, 3], stride: 1, pad: 'same' },
    { name: '2x2 same, stride 1 (asymmetric padding)', x: [2, 7, 7, 3], f: [2, 2, 3, 2], stride: 1, pad: 'same' },
    { name: '3x3 same, stride 2 (original kernel)', x: [1, 9, 9, 3], f: [3, 3, 3, 2], stride: 2, pad: 'same' },
    { name: 'conv2 of the built-in model', x: [4, 16, 16, 16], f: [3, 3, 16, 32], stride: 1, pad: 'same' },
  ];

  it.each(cases)('matches the cpu backend: $name', async ({ x, f, stride, pad }) => {
    const xv = randomValues(x.reduce((a, b) => a * b), 1);
    const fv = randomValues(f.reduce((a, b) => a * b), 2);
    await tf.setBackend('cpu');
    const expected = inputGradient(xv, x, fv, f, stride, pad);
    await tf.setBackend('wasm');
    const actual = inputGradient(xv, x, fv, f, stride, pad);
    expect(actual.length).toBe(expected.length);
    // Float32 sums in a different order: compare relative to the gradient's scale.
    const scale = Math.max(1, ...Array.from(expected, Math.abs));
    for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-5 * scale);
  });

  it('takes the conv2d path for stride 1', async () => {
    const profile = await tf.profile(() => {
      inputGradient(randomValues(2 * 8 * 8 * 3, 3), [2, 8, 8, 3], randomValues(3 * 3 * 3 * 4, 4), [3, 3, 3, 4], 1, 'same');
    });
    // The flipped filter is the fast path's signature: the original kernel runs no Reverse.
    expect(profile.kernelNames).toContain('Reverse');
  });

  it('does not leak tensors', () => {
    const before = tf.memory().numTensors;
    inputGradient(randomValues(2 * 8 * 8 * 3, 3), [2, 8, 8, 3], randomValues(3 * 3 * 3 * 4, 4), [3, 3, 3, 4], 1, 'same');
    expect(tf.memory().numTensors).toBe(before);
  });
});
