import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
// The full bundle: it registers the gradients and the cpu backend.
import { tf } from '../../tf.ts';
import '@tensorflow/tfjs-backend-wasm';
import { maxScaledError, randomValues } from './convGradientHarness.ts';
import { registerWasmBatchMatMul } from './wasmBatchMatMul.ts';
import { setWasmGemm } from './gemmBatchMatMul.ts';
import { wasmHeapBytes } from '../../backend/explainOutOfMemory.ts';

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

  // The GEMM (where SIMD runs: here), and the XNNPACK rewrites kept for runtimes without it.
  for (const gemm of [true, false])
    it.each(cases)(`matches the cpu backend, product and gradients, ${gemm ? 'on the GEMM' : 'on XNNPACK after rewrites'}: $name`, async (c) => {
      const expected = await on('cpu', c);
      setWasmGemm(gemm);
      try {
        const actual = await on('wasm', c);
        for (let i = 0; i < expected.length; i++) {
          expect(actual[i]!.length).toBe(expected[i]!.length);
          expect(maxScaledError(expected[i]!, actual[i]!)).toBeLessThan(1e-5);
        }
      } finally {
        setWasmGemm(true);
      }
    });

  it('runs every product, transposed or batched, as one BatchMatMul on the GEMM: no Transpose, no convolution', async () => {
    const a = tf.ones([6, 4, 3]);
    const b = tf.ones([6, 5, 3]);
    const profile = await tf.profile(() => tf.matMul(a, b, false, true));
    expect(profile.kernelNames).toEqual(['BatchMatMul']);
    tf.dispose([a, b, profile.result as tf.Tensor]);
  });

  it('without the GEMM, runs transposed products as a Transpose and a plain product, batched ones as a depthwise convolution', async () => {
    setWasmGemm(false);
    try {
      const a = tf.ones([4, 3]);
      const b = tf.ones([5, 3]);
      const transposed = await tf.profile(() => tf.matMul(a, b, false, true));
      // The stock kernel runs no Transpose: its signature is a lone BatchMatMul. (Checked at once: the
      // next tf.profile overwrites the object it returned.)
      expect(transposed.kernelNames).toEqual(expect.arrayContaining(['Transpose', 'BatchMatMul']));
      expect(transposed.kernelNames).not.toContain('DepthwiseConv2dNative');
      const transposedResult = transposed.result as tf.Tensor;
      const a3 = tf.ones([6, 4, 3]);
      const b3 = tf.ones([6, 3, 5]);
      const batched = await tf.profile(() => tf.matMul(a3, b3));
      expect(batched.kernelNames).toEqual(expect.arrayContaining(['DepthwiseConv2dNative']));
      tf.dispose([a, b, a3, b3, transposedResult, batched.result as tf.Tensor]);
    } finally {
      setWasmGemm(true);
    }
  });

  it('keeps no packed copy of a weight: 32 frozen [1024, 1024] weights (128 MB) grow the heap by less than 8 MB', () => {
    // XNNPACK kept one packed copy per right operand for as long as it lived: 128 MB more here.
    const weights = Array.from({ length: 32 }, (_, i) => tf.variable(tf.randomNormal([1024, 1024], 0, 1, 'float32', i), false));
    const x = tf.randomNormal([16, 1024], 0, 1, 'float32', 99);
    tf.tidy(() => tf.matMul(x, weights[0]!).dataSync()); // the GEMM's scratch, once
    const before = wasmHeapBytes()!;
    for (const w of weights) tf.tidy(() => tf.matMul(x, w).dataSync()); // [16, 1024] each
    expect(wasmHeapBytes()! - before).toBeLessThan(8 * 2 ** 20);
    tf.dispose([...weights, x]);
  });

  it('does not leak tensors', async () => {
    for (const c of cases) await expectNoTensorLeak(() => productAndGradients(c));
  });
});
