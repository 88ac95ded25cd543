/**
 * Linear probe: how well a fresh softmax head learns new classes from frozen features. This is what the
 * studio does with the base model, so it measures what the pretrained `embedding` is worth for transfer.
 */
import * as tf from '@tensorflow/tfjs';
import { accuracy, trainClassifier } from './trainClassifier.ts';

export interface ProbeOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export interface ProbeResult {
  train: number;
  validation: number;
}

/** Features of `images` [N, 32, 32, 3] at the extractor's output, [N, D], computed in inference mode. */
export function extractFeatures(extractor: tf.LayersModel, images: tf.Tensor4D, batchSize = 256): tf.Tensor2D {
  const count = images.shape[0];
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < count; start += batchSize) {
    parts.push(
      tf.tidy(() => extractor.predict(tf.slice(images, start, Math.min(batchSize, count - start))) as tf.Tensor2D),
    ); // [b, D]
  }
  const features = tf.concat(parts, 0); // [N, D]
  tf.dispose(parts);
  return features;
}

/** Trains a Dense softmax head on [N, D] features with integer labels, and reports train and validation accuracy. */
export async function linearProbe(
  train: { features: tf.Tensor2D; labels: tf.Tensor1D },
  validation: { features: tf.Tensor2D; labels: tf.Tensor1D },
  numClasses: number,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const head = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [train.features.shape[1]],
        units: numClasses,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed }),
      }),
    ],
  });
  const optimizer = tf.train.adam(options.learningRate);
  head.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await trainClassifier(head, train.features, train.labels, options);
  const result = {
    train: accuracy(head, train.features, train.labels),
    validation: accuracy(head, validation.features, validation.labels),
  };
  head.dispose();
  optimizer.dispose();
  return result;
}
