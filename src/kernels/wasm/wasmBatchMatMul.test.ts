import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
// The full bundle: it registers the gradients and the cpu backend.
import { tf } from '../../tf.ts';
import '@tensorflow/tfjs-backend-wasm';
import { maxScaledError, randomValues } from './convGradientHarness.ts';
import { registerWasmBatchMatMul } from './wasmBatchMatMul.ts';

interface MatMulCase {
  name: string;
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
  /** TF.js' BatchMatMul gradient (every backend) does not reduce over a broadcast batch: product only. */
  productOnly?: boolean;
}

/** The product and the gradients for a and b of sum(matMul(a, b) * weights), weights varying per element. */
function productAndGradients(c: MatMulCase): Float32Array[] {
  return tf.tidy(() => {
    const a = tf.tensor(randomValues(c.a.reduce((p, d) => p * d, 1), 1), c.a);
    const b = tf.tensor(randomValues(c.b.reduce((p, d) => p * d, 1), 2), c.b);
    const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x, y, c.ta, c.tb);
    const y = f(a, b);
    if (c.productOnly) return [y.dataSync() as Float32Array];
    const weights = tf.sin(tf.mul(tf.reshape(tf.range(0, y.size), y.shape), 0.01));
    const [da, db] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(f(x, w), weights)))([a, b]);
    return [y, da!, db!].map((t) => t.dataSync() as Float32Array);
  });
}

async function on(backend: string, c: MatMulCase): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  await tf.ready();
  return productAndGradients(c);
}

describe('registerWasmBatchMatMul', () => {
  beforeAll(() => {
    registerWasmBatchMatMul();
    registerWasmBatchMatMul(); // idempotent
  });
  beforeEach(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });

  const cases: MatMulCase[] = [
    { name: 'x·Wᵀ (an HF projection)', a: [6, 5], b: [7, 5], ta: false, tb: true },
    { name: 'xᵀ·dy (a weight gradient)', a: [5, 6], b: [5, 7], ta: true, tb: false },
    { name: 'both transposed', a: [5, 6], b: [7, 5], ta: true, tb: true },
    { name: 'plain', a: [6, 5], b: [5, 7], ta: false, tb: false },
    { name: 'batched q·kᵀ [B*H, T, D]', a: [3, 4, 8], b: [3, 4, 8], ta: false, tb: true },
    { name: 'rank 4, transposeA', a: [2, 3, 8, 4], b: [2, 3, 8, 5], ta: true, tb: false },
    { name: 'batched s·v, plain', a: [3, 4, 5], b: [3, 5, 2], ta: false, tb: false },
    { name: 'batched, both transposed', a: [2, 3, 5, 4], b: [2, 3, 6, 5], ta: true, tb: true },
    { name: 'h·Wᵀ with a tall W (the vocabulary head, run as (W·hᵀ)ᵀ)', a: [3, 5], b: [40, 5], ta: false, tb: true },
    { name: 'batch broadcast (one b for every a)', a: [3, 4, 6], b: [1, 5, 6], ta: false, tb: true, productOnly: true },
  ];

  it.each(cases)('matches the cpu backend, product and gradients: $name', async (c) => {
    const expected = await on('cpu', c);
    const actual = await on('wasm', c);
    for (let i = 0; i < expected.length; i++) {
      expect(actual[i]!.length).toBe(expected[i]!.length);
      expect(maxScaledError(expected[i]!, actual[i]!)).toBeLessThan(1e-5);
    }
  });

  it('runs transposed products as a Transpose and a plain product', async () => {
    const a = tf.ones([4, 3]);
    const b = tf.ones([5, 3]);
    const profile = await tf.profile(() => tf.matMul(a, b, false, true));
    // The stock kernel runs no Transpose: its signature is a lone BatchMatMul.
    expect(profile.kernelNames).toEqual(expect.arrayContaining(['Transpose', 'BatchMatMul']));
    tf.dispose([a, b, profile.result as tf.Tensor]);
  });

  it('runs batched products as a depthwise convolution (XNNPACK), not the scalar loop', async () => {
    const a = tf.ones([6, 4, 3]);
    const b = tf.ones([6, 3, 5]);
    const profile = await tf.profile(() => tf.matMul(a, b));
    expect(profile.kernelNames).toEqual(expect.arrayContaining(['DepthwiseConv2dNative']));
    tf.dispose([a, b, profile.result as tf.Tensor]);
  });

  it('does not leak tensors', async () => {
    for (const c of cases) await expectNoTensorLeak(() => productAndGradients(c));
  });
});
