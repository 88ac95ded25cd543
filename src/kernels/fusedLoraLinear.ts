/**
 * The LoRA projection as one op, y = x·op(W) (+ b) + scale·(x·Aᵀ)·Bᵀ, and the one place that
 * decides how it runs: the `FusedLoraLinear` kernel where the current backend has one registered
 * (WebGPU: src/kernels/webgpu/registerFusedLoraLinear.ts), the stock op sequence everywhere else.
 * Model code calls this and never asks which backend runs.
 */
import { tf, type Tensor, type Tensor2D } from '../tf.ts';
import { isHalf, unpackHalf } from './halfMatMul.ts';
import { fusedLoraLinearReference, type FusedLoraLinearArgs } from './fusedLoraLinearReference.ts';

export { fusedLoraLinearReference, type FusedLoraLinearArgs } from './fusedLoraLinearReference.ts';

/** Kernel name; its outputs are [y [N, out], low = x·Aᵀ [N, r]] (low is kept for the backward pass). */
export const FUSED_LORA_LINEAR = 'FusedLoraLinear';

/** Attributes of the FusedLoraLinear kernel. */
export interface FusedLoraLinearAttrs {
  scale: number;
  transposeW: boolean;
  hasBias: boolean;
}

let enabled = true;

/** Turns the fused kernels off (the stock op sequence runs on every backend): for benchmarks comparing the two. */
export function setFusedLoraEnabled(on: boolean): void {
  enabled = on;
}

/** x [N, in] -> y [N, out]; identical maths on every backend, fused where a kernel is registered. */
export function fusedLoraLinear(args: FusedLoraLinearArgs): Tensor2D {
  if (!enabled || tf.getKernel(FUSED_LORA_LINEAR, tf.getBackend()) === undefined) {
    // The stock sequence has no float16 matmul: W is unpacked for the call (a float16-stored W exists on WebGPU only).
    if (!isHalf(args.w)) return fusedLoraLinearReference(args);
    return tf.tidy(() => fusedLoraLinearReference({ ...args, w: unpackHalf(args.w) as Tensor2D }));
  }
  const { x, w, bias, a, b, scale, transposeW } = args;
  const inputs: Record<string, Tensor> = { x, w, a, b };
  if (bias) inputs.bias = bias;
  const attrs: FusedLoraLinearAttrs = { scale, transposeW, hasBias: bias !== undefined };
  const [y, low] = tf.engine().runKernel(FUSED_LORA_LINEAR, inputs, attrs as unknown as tf.NamedAttrMap) as [Tensor2D, Tensor2D];
  // The gradient reads its own saved copy of low; the caller only ever sees y.
  low.dispose();
  return y;
}
