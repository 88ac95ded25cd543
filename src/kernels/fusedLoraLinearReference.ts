/**
 * The plain-op LoRA projection: what every backend without a fused kernel runs, and what the fused
 * WebGPU kernel is tested against.
 */
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
    if (bias) y = tf.add(y, bias);
    const low = tf.matMul(x, a, false, true); // [N, r]
    return tf.add(y, tf.mul(tf.matMul(low, b, false, true), scale)) as Tensor2D;
  });
}
