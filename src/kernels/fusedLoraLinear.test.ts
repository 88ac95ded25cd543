/**
 * Where the op runs: the registered FusedLoraLinear kernel of the current backend when there is one
 * (and fusion is on), the reference op sequence otherwise. The WebGPU kernel's numerics are tested in
 * webgpu/fusedLoraLinear.webgpu.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf, type Tensor, type Tensor2D } from '../tf.ts';
import { FUSED_LORA_LINEAR, fusedLoraLinear, setFusedLoraEnabled } from './fusedLoraLinear.ts';
import { fusedLoraLinearReference, type FusedLoraLinearArgs } from './fusedLoraLinearReference.ts';

function args(): FusedLoraLinearArgs {
  const values = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(i * k));
  return {
    x: tf.tensor2d(values(12, 1), [3, 4]), // [N, in]
    w: tf.tensor2d(values(20, 2), [5, 4]), // [out, in]
    bias: tf.tensor1d(values(5, 3)), // [out]
    a: tf.tensor2d(values(8, 4), [2, 4]), // [r, in]
    b: tf.tensor2d(values(10, 5), [5, 2]), // [out, r]
    scale: 0.5,
    transposeW: true,
  };
}

describe('fusedLoraLinear', () => {
  beforeEach(async () => {
    await tf.setBackend('cpu');
    setFusedLoraEnabled(true);
  });
  afterEach(() => {
    if (tf.getKernel(FUSED_LORA_LINEAR, 'cpu')) tf.unregisterKernel(FUSED_LORA_LINEAR, 'cpu');
    setFusedLoraEnabled(true);
  });

  it('runs the reference op sequence, bit for bit, where the backend has no fused kernel', async () => {
    const a = args();
    const got = fusedLoraLinear(a);
    const want = fusedLoraLinearReference(a);
    expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
    tf.dispose([got, want, ...Object.values(a).filter((v): v is Tensor => v instanceof tf.Tensor)]);
  });

  it("runs the backend's kernel when one is registered, and not when fusion is off", async () => {
    let calls = 0;
    // A stand-in kernel: y = 7 everywhere, low = zeros, so its output is recognisable.
    tf.registerKernel({
      kernelName: FUSED_LORA_LINEAR,
      backendName: 'cpu',
      kernelFunc: ({ inputs }) => {
        calls++;
        const { x, b, a } = inputs as Record<string, Tensor2D>;
        return [tf.fill([x!.shape[0], b!.shape[0]], 7), tf.zeros([x!.shape[0], a!.shape[0]])];
      },
    });
    const a = args();
    // The kernel's second output (low) is freed by the op, not left to the caller.
    await expectNoTensorLeak(() => {
      const fused = fusedLoraLinear(a);
      expect(calls).toBe(1);
      expect(fused.shape).toEqual([3, 5]);
      expect(Array.from(fused.dataSync())).toEqual(new Array(15).fill(7));
      setFusedLoraEnabled(false);
      const stock = fusedLoraLinear(a);
      expect(calls).toBe(1);
      const reference = fusedLoraLinearReference(a);
      expect(Array.from(stock.dataSync())).toEqual(Array.from(reference.dataSync()));
      tf.dispose([fused, stock, reference]);
    });
    tf.dispose(Object.values(a).filter((v): v is Tensor => v instanceof tf.Tensor));
  });
});
