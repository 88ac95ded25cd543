/**
 * The language-model start of threaded WASM (its own file: the backend starts once per process): 2
 * threads, XNNPACK's pool at 1 (setWasmPoolThreads), so the second core is our GEMM's helper's alone.
 * The report still says 2 threads, and a large product is still shared, with the cpu backend's numbers.
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeWasmThreads } from '../cli/nodeWasmThreads.ts';
import { wasmGemmStatus } from '../kernels/wasm/gemmBatchMatMul.ts';
import { gemmHelperReady, sharedSizeProduct } from '../testing/gemmHelperReady.ts';
import { tf } from '../tf.ts';
import { startBackend } from './startBackend.ts';
import { setWasmPoolThreads } from './wasmThreads.ts';

describe('threaded WASM for a language model', () => {
  let want: Float32Array;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    want = sharedSizeProduct();
    useNodeWasmThreads(2);
    setWasmPoolThreads(1); // as Session.ensureBackend('lm') does
  });

  it('runs XNNPACK on one thread, the GEMM on two, and reports 2 threads', async () => {
    const report = await startBackend('wasm');
    expect(report.threads).toBe(2);
    expect(report.threadsNote).toBeUndefined();
    expect(getThreadsCount()).toBe(1);
    await gemmHelperReady();
    const before = wasmGemmStatus(tf.backend())!;
    const got = sharedSizeProduct();
    const after = wasmGemmStatus(tf.backend())!;
    expect(after.sharedProducts).toBe(before.sharedProducts + 1);
    expect(after.waitMs).toBeGreaterThanOrEqual(before.waitMs);
    let m = 0;
    for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i]! - want[i]!));
    expect(m).toBeLessThan(1e-3);
  });
});
