/**
 * The plain-op LoRA projection: what every backend without a fused kernel runs, and what the fused
 * WebGPU kernel is tested against.
 */
import { addNoSave } from './noSaveOps.ts';
import { tf, type Tensor, type Tensor2D } from '../tf.ts';

export interface FusedLoraLinearArgs {
  x: Tensor2D; // [N, in]
  w: Tensor2D; // [in, out], or [out, in] with transposeW
  bias?: Tensor; // [out]
  a: Tensor2D; // [r, in]
  b: Tensor2D; // [out, r]
  scale: number;
  transposeW: boolean;
}

/** y = x·op(W) (+ b) + scale·(x·Aᵀ)·Bᵀ as stock ops: [N, out]. */
export function fusedLoraLinearReference({ x, w, bias, a, b, scale, transposeW }: FusedLoraLinearArgs): Tensor2D {
  return tf.tidy(() => {
    let y = tf.matMul(x, w, false, transposeW); // [N, out]
    if (bias) y = addNoSave(y, bias);
    // The scale on the rank-r side: the Mul then keeps [N, r] tensors, not [N, out] ones (exact when
    // the scale is a power of two, as alpha / r usually is).
    const low = tf.mul(tf.matMul(x, a, false, true), scale); // [N, r]
    return addNoSave(y, tf.matMul(low, b, false, true)) as Tensor2D;
  });
}
