import type { Rng } from '../data/rng.ts';
import { tf, type Tensor, type Tensor2D, type Variable } from '../tf.ts';

/**
 * The new classification head trained on top of the frozen base: one dense layer, softmax in the loss.
 * Weights are laid out [in, out] like a Keras Dense kernel; export transposes to PyTorch's [out, in].
 */
export interface Head {
  kernel: Variable; // [F, K]
  bias: Variable; // [K]
}

let headCount = 0;

/** Glorot-uniform kernel from a seeded RNG (same seed, same start), zero bias: what Keras' Dense does. */
export function createHead(featureSize: number, numClasses: number, rng: Rng): Head {
  const limit = Math.sqrt(6 / (featureSize + numClasses));
  const values = new Float32Array(featureSize * numClasses);
  for (let i = 0; i < values.length; i++) values[i] = (rng() * 2 - 1) * limit;
  return headFromValues(values, new Float32Array(numClasses), featureSize, numClasses);
}

/** Restores a head from saved values (backend switch, import). */
export function headFromValues(kernel: Float32Array, bias: Float32Array, featureSize: number, numClasses: number): Head {
  const id = headCount++;
  // tidy disposes the initial tensors; the variables (which copy them) are kept.
  return tf.tidy(() => ({
    kernel: tf.variable(tf.tensor2d(kernel, [featureSize, numClasses]), true, `head_${id}/kernel`),
    bias: tf.variable(tf.tensor1d(bias), true, `head_${id}/bias`),
  }));
}

/** features [B, F] -> logits [B, K] */
export function headLogits(head: Head, features: Tensor): Tensor2D {
  return tf.add(tf.matMul(features as Tensor2D, head.kernel as Tensor2D), head.bias) as Tensor2D;
}

export function disposeHead(head: Head): void {
  head.kernel.dispose();
  head.bias.dispose();
}
