/**
 * A shared harness for testing conv2d gradient kernels against the cpu backend: the gradient of
 * sum(conv2d(x, filter) * weights) with respect to x or the filter, on whatever backend is current.
 * The weights vary per element so that every upstream gradient entry matters.
 */
import { tf } from '../../tf.ts';

export type Shape4 = [number, number, number, number];

export interface ConvCase {
  name: string;
  x: Shape4; // [B, H, W, C]
  f: Shape4; // [kh, kw, C, F]
  stride: number;
  pad: 'same' | 'valid';
}

export function convGradient(wrt: 'input' | 'filter', x: number[], xShape: Shape4, filter: number[], filterShape: Shape4, strides: number, pad: 'same' | 'valid'): Float32Array {
  return tf.tidy(() => {
    const loss = (xs: tf.Tensor4D, fs: tf.Tensor4D) => {
      const y = tf.conv2d(xs, fs, strides, pad); // [B, H', W', F]
      const weights = tf.sin(tf.mul(tf.reshape(tf.range(0, y.size), y.shape), 0.01));
      return tf.sum(tf.mul(y, weights));
    };
    const xs = tf.tensor4d(x, xShape);
    const fs = tf.tensor4d(filter, filterShape);
    const grad = wrt === 'input' ? tf.grad((v: tf.Tensor) => loss(v as tf.Tensor4D, fs))(xs) : tf.grad((v: tf.Tensor) => loss(xs, v as tf.Tensor4D))(fs);
    return grad.dataSync() as Float32Array;
  });
}

/** Deterministic values in [-0.5, 0.5) (an LCG: the test needs repeatable numbers, not good ones). */
export function randomValues(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

/** Runs one case on cpu then wasm and returns both gradients. */
export async function cpuAndWasm(wrt: 'input' | 'filter', c: ConvCase): Promise<{ expected: Float32Array; actual: Float32Array }> {
  const xv = randomValues(c.x.reduce((a, b) => a * b), 1);
  const fv = randomValues(c.f.reduce((a, b) => a * b), 2);
  await tf.setBackend('cpu');
  const expected = convGradient(wrt, xv, c.x, fv, c.f, c.stride, c.pad);
  await tf.setBackend('wasm');
  const actual = convGradient(wrt, xv, c.x, fv, c.f, c.stride, c.pad);
  return { expected, actual };
}

/** Float32 sums in a different order: compare relative to the gradient's scale. */
export function maxScaledError(expected: Float32Array, actual: Float32Array): number {
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((actual[i] ?? Number.NaN) - (expected[i] ?? 0)) / scale);
  return worst;
}
