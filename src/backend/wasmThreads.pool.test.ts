/**
 * The language-model start of threaded WASM (its own file: the backend starts once per process): 2
 * threads, XNNPACK's pool at 1 (setWasmPoolThreads), so the second core is our GEMM's helper's alone.
 * The report still says 2 threads, and a large product is still shared, with the cpu backend's numbers.
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeWasmThreads } from '../cli/nodeWasmThreads.ts';
import { wasmGemmStatus } from '../kernels/wasm/gemmBatchMatMul.ts';
import { tf } from '../tf.ts';
import { startBackend } from './startBackend.ts';
import { setWasmPoolThreads } from './wasmThreads.ts';

/** x·Wᵀ, [96, 400] x [720, 400]ᵀ -> [96, 720]: over the GEMM's threshold for sharing. */
const product = (): Float32Array =>
  tf.tidy(() => tf.matMul(tf.sin(tf.reshape(tf.range(0, 96 * 400), [96, 400])), tf.cos(tf.reshape(tf.range(0, 720 * 400), [720, 400])), false, true).dataSync() as Float32Array);

describe('threaded WASM for a language model', () => {
  let want: Float32Array;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    want = product();
    useNodeWasmThreads(2);
    setWasmPoolThreads(1); // as Session.ensureBackend('lm') does
  });

  it('runs XNNPACK on one thread, the GEMM on two, and reports 2 threads', async () => {
    const report = await startBackend('wasm');
    expect(report.threads).toBe(2);
    expect(report.threadsNote).toBeUndefined();
    expect(getThreadsCount()).toBe(1);
    const start = Date.now();
    while ((wasmGemmStatus(tf.backend())?.helpers ?? 0) < 1) {
      if (Date.now() - start > 30_000) throw new Error('the GEMM helper thread was not ready within 30 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = wasmGemmStatus(tf.backend())!;
    const got = product();
    const after = wasmGemmStatus(tf.backend())!;
    expect(after.sharedProducts).toBe(before.sharedProducts + 1);
    expect(after.waitMs).toBeGreaterThanOrEqual(before.waitMs);
    let m = 0;
    for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i]! - want[i]!));
    expect(m).toBeLessThan(1e-3);
  });
});
