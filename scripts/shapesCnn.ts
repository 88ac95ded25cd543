/**
 * The built-in base model. Tiny on purpose (about 28k parameters): the browser e2e runs it on a software GPU.
 * The layer names are a contract with the studio, which drops `head` and trains a new one on `embedding`.
 */
import * as tf from '@tensorflow/tfjs';

export const INPUT_SHAPE: [number, number, number] = [32, 32, 3];
export const FEATURE_LAYER = 'embedding';
export const HEAD_LAYER = 'head';

/** Builds the CNN with seeded initializers, so the same seed gives the same starting weights. */
export function buildShapesCnn(numClasses: number, seed: number): tf.LayersModel {
  // One seed per layer: sharing one would give every layer correlated starting weights.
  let next = seed;
  const heNormal = () => tf.initializers.heNormal({ seed: next++ });
  const conv = (name: string, filters: number) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: heNormal(),
    });

  const image = tf.input({ shape: INPUT_SHAPE, name: 'image' }); // [B, 32, 32, 3]
  let x = conv('conv1', 16).apply(image) as tf.SymbolicTensor; // [B, 32, 32, 16]
  x = tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as tf.SymbolicTensor; // [B, 16, 16, 16]
  x = conv('conv2', 32).apply(x) as tf.SymbolicTensor; // [B, 16, 16, 32]
  x = tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }).apply(x) as tf.SymbolicTensor; // [B, 8, 8, 32]
  x = conv('conv3', 64).apply(x) as tf.SymbolicTensor; // [B, 8, 8, 64]
  x = tf.layers.maxPooling2d({ name: 'pool3', poolSize: 2 }).apply(x) as tf.SymbolicTensor; // [B, 4, 4, 64]
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor; // [B, 64]
  x = tf.layers
    .dense({ name: FEATURE_LAYER, units: 64, activation: 'relu', kernelInitializer: heNormal() })
    .apply(x) as tf.SymbolicTensor; // [B, 64]
  const probs = tf.layers
    .dense({
      name: HEAD_LAYER,
      units: numClasses,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: next++ }),
    })
    .apply(x) as tf.SymbolicTensor; // [B, numClasses]
  return tf.model({ name: 'shapes_cnn', inputs: image, outputs: probs });
}

/** A model from `image` to the `embedding` activations, sharing the weights of `model`. */
export function featureExtractor(model: tf.LayersModel): tf.LayersModel {
  return tf.model({ inputs: model.inputs, outputs: model.getLayer(FEATURE_LAYER).output as tf.SymbolicTensor });
}
