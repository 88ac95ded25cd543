import { inputBatch, type TrainingSet } from '../data/trainingSet.ts';
import { tf, type Tensor2D } from '../tf.ts';
import type { BaseModel } from './baseModel.ts';

/**
 * Runs the frozen base over every row of a set (images or table rows) in batches and returns their
 * features [N, F], kept on the backend. The base is frozen, so these never change during training:
 * computing them once turns each training step into a tiny head update instead of a forward pass.
 */
export async function computeFeatures(
  base: BaseModel,
  set: TrainingSet,
  onProgress: (done: number, total: number) => void = () => {},
  batchSize = 32,
): Promise<Tensor2D> {
  const count = set.count;
  if (count === 0) return tf.zeros([0, base.summary.featureSize]) as Tensor2D;
  const parts: Tensor2D[] = [];
  try {
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const rows = Array.from({ length: n }, (_, i) => start + i);
      const batch = tf.tidy(() => base.features.predict(inputBatch(base, set, rows)) as Tensor2D); // [B, F]
      // Waiting for each batch (B x F floats) keeps progress honest and the GPU queue short.
      await batch.data();
      parts.push(batch);
      onProgress(start + n, count);
    }
    return tf.tidy(() => (parts.length === 1 ? (parts[0] as Tensor2D).clone() : tf.concat(parts, 0)) as Tensor2D);
  } finally {
    for (const p of parts) p.dispose();
  }
}
