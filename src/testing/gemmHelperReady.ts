/**
 * For tests of the threaded WASM backend: waiting for the GEMM's helper thread, and a product large
 * enough to be shared with it.
 */
import { wasmGemmStatus } from '../kernels/wasm/gemmBatchMatMul.ts';
import { tf } from '../tf.ts';

/** Resolves once the running backend's GEMM has a helper ready (helpers load their module on their own). */
export async function gemmHelperReady(timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while ((wasmGemmStatus(tf.backend())?.helpers ?? 0) < 1) {
    if (Date.now() - start > timeoutMs) throw new Error(`the GEMM helper thread was not ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** x·Wᵀ, [96, 400] x [720, 400]ᵀ -> [96, 720] (55 MFLOP): over the GEMM's threshold for sharing. */
export function sharedSizeProduct(): Float32Array {
  return tf.tidy(() => tf.matMul(tf.sin(tf.reshape(tf.range(0, 96 * 400), [96, 400])), tf.cos(tf.reshape(tf.range(0, 720 * 400), [720, 400])), false, true).dataSync() as Float32Array);
}
