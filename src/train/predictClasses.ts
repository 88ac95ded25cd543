import { tf, type Tensor2D } from '../tf.ts';

/**
 * Predicted class per row of logits [N, K]: argMax over classes, then one async readback.
 * Ties go to the lowest class index (TF.js argMax). The logits are not disposed.
 */
export async function predictClasses(logits: Tensor2D): Promise<Int32Array> {
  const ids = tf.tidy(() => tf.argMax(logits, 1).asType('int32')); // [N]
  try {
    return Int32Array.from(await ids.data());
  } finally {
    ids.dispose();
  }
}
