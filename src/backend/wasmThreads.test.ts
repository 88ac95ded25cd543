/**
 * The threaded WASM build under Node, started by our factory (its own file: the WASM backend starts
 * once per process, and this one must start threaded). Results must equal the cpu backend's, through
 * the project's own WASM kernels too (a transposed product takes registerWasmBatchMatMul's path).
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeWasmThreads } from '../cli/nodeWasmThreads.ts';
import { tf } from '../tf.ts';
import { startBackend } from './startBackend.ts';
import { wasmGemmStatus } from '../kernels/wasm/gemmBatchMatMul.ts';
import { gemmHelperReady, sharedSizeProduct } from '../testing/gemmHelperReady.ts';

/** sum(x·Wᵀ · weights): an HF projection, and its gradients for x and W. */
function productAndGradients(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.sin(tf.reshape(tf.range(0, 96 * 40), [96, 40])); // [T, C]
    const w = tf.cos(tf.mul(tf.reshape(tf.range(0, 72 * 40), [72, 40]), 0.37)); // [out, C]
    const weights = tf.sin(tf.mul(tf.reshape(tf.range(0, 96 * 72), [96, 72]), 0.01)); // [T, out]
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.matMul(a, b, false, true);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), weights)))([x, w]);
    return [f(x, w), dx!, dw!].map((t) => t.dataSync() as Float32Array);
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('threaded WASM in Node', () => {
  let expected: Float32Array[] = [];
  beforeAll(async () => {
    await tf.setBackend('cpu');
    expected = productAndGradients();
    useNodeWasmThreads(2);
  });

  it('starts 2 threads and reports them', async () => {
    const report = await startBackend('wasm');
    expect(report.name).toBe('wasm');
    expect(getThreadsCount()).toBe(2);
    expect(report.threads).toBe(2);
    expect(report.threadsNote).toBeUndefined();
  });

  it('shares a large product with the GEMM\'s helper thread, with the cpu backend\'s numbers', async () => {
    await startBackend('wasm');
    await gemmHelperReady();
    const before = wasmGemmStatus(tf.backend())!.sharedProducts;
    const got = sharedSizeProduct();
    expect(wasmGemmStatus(tf.backend())!.sharedProducts).toBe(before + 1);
    await tf.setBackend('cpu');
    const want = sharedSizeProduct();
    await tf.setBackend('wasm');
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-3);
  });

  it("computes a product and its gradients as the cpu backend does", async () => {
    await startBackend('wasm');
    const got = productAndGradients();
    for (let i = 0; i < got.length; i++) expect(maxAbsDiff(got[i]!, expected[i]!)).toBeLessThan(1e-3);
  });
});
