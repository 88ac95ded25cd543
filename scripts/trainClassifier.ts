/**
 * A seeded mini-batch training loop for a compiled classifier. model.fit shuffles with Math.random, which
 * would make the built-in model differ run to run; this loop shuffles with the seeded rng instead.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffle } from './rng.ts';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Called after every epoch with its mean training loss and accuracy (over the batches, as Keras reports). */
  onEpoch?: (epoch: number, loss: number, accuracy: number) => void | Promise<void>;
}

/**
 * Trains `model` (compiled with sparseCategoricalCrossentropy and the accuracy metric) on `x` [N, ...] and
 * integer labels `y` [N].
 */
export async function trainClassifier(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor1D,
  options: TrainOptions,
): Promise<void> {
  const rng = mulberry32(options.seed);
  const count = x.shape[0] as number;
  const order = Array.from({ length: count }, (_, i) => i);
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    shuffle(rng, order);
    let lossSum = 0;
    let accuracySum = 0;
    let batches = 0;
    for (let start = 0; start < count; start += options.batchSize) {
      const indices = tf.tensor1d(order.slice(start, start + options.batchSize), 'int32'); // [b]
      const xb = tf.gather(x, indices); // [b, ...]
      const yb = tf.gather(y, indices); // [b]
      const result = await model.trainOnBatch(xb, yb);
      tf.dispose([indices, xb, yb]);
      const [loss, accuracy] = Array.isArray(result) ? result : [result, Number.NaN];
      lossSum += loss ?? Number.NaN;
      accuracySum += accuracy ?? Number.NaN;
      batches++;
    }
    await options.onEpoch?.(epoch, lossSum / batches, accuracySum / batches);
  }
}

/** Fraction of `x` [N, ...] whose arg-max prediction equals the label in `y` [N], in inference mode. */
export function accuracy(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor1D, batchSize = 256): number {
  const count = x.shape[0] as number;
  let correct = 0;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    correct += tf.tidy(() => {
      const xb = tf.slice(x, start, size); // [b, ...]
      const yb = tf.slice(y, start, size); // [b]
      const predicted = tf.argMax(model.predict(xb) as tf.Tensor2D, 1); // [b]
      return tf.sum(tf.cast(tf.equal(predicted, tf.cast(yb, 'int32')), 'int32')).dataSync()[0] ?? 0;
    });
  }
  return correct / count;
}
