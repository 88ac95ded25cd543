/**
 * Small seeded models for the LoRA tests (not a test file itself, so every test can import it).
 * Seeded initialisers make every run build the same weights.
 */
import { tf, type LayersModel } from '../tf.ts';

let seed = 100;
const init = () => tf.initializers.glorotUniform({ seed: seed++ });
const biasInit = () => tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed++ });

/** Sequential: [6, 6, 2] -> conv1 (3x3 same, relu) -> bn -> conv2 (3x3 valid, stride 2, dilation 1) -> flatten -> drop -> dense1 (relu) -> head. */
export function sequentialConvNet(): LayersModel {
  seed = 100;
  return tf.sequential({
    name: 'seqnet',
    layers: [
      tf.layers.conv2d({ name: 'conv1', inputShape: [6, 6, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), biasInitializer: biasInit() }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.conv2d({ name: 'conv2', filters: 5, kernelSize: [3, 2], strides: 2, padding: 'valid', kernelInitializer: init(), biasInitializer: biasInit() }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dropout({ name: 'drop', rate: 0.25 }),
      tf.layers.dense({ name: 'dense1', units: 6, activation: 'relu', kernelInitializer: init(), biasInitializer: biasInit() }),
      tf.layers.dense({ name: 'head', units: 3, kernelInitializer: init(), biasInitializer: biasInit() }),
    ],
  });
}

/** Functional with a branch: x [8] -> trunk -> (left tanh | right relu) -> concat -> out [3]. */
export function branchedNet(): LayersModel {
  seed = 200;
  const x = tf.input({ shape: [8], name: 'x' });
  const trunk = tf.layers.dense({ name: 'trunk', units: 6, activation: 'relu', kernelInitializer: init(), biasInitializer: biasInit() }).apply(x) as tf.SymbolicTensor;
  const left = tf.layers.dense({ name: 'left', units: 4, activation: 'tanh', kernelInitializer: init(), biasInitializer: biasInit() }).apply(trunk) as tf.SymbolicTensor;
  const right = tf.layers.dense({ name: 'right', units: 5, activation: 'relu', kernelInitializer: init(), biasInitializer: biasInit() }).apply(trunk) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([left, right]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'out', units: 3, kernelInitializer: init(), biasInitializer: biasInit() }).apply(cat) as tf.SymbolicTensor;
  return tf.model({ name: 'branched', inputs: x, outputs: out });
}

/** Deterministic input batch of the given shape, values in [-1, 1). */
export function seededInput(shape: number[], s = 7): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', s);
}

/** Largest |a - b| over two same-shape tensors. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

/** Exact element-wise equality of two tensors' values (0 and -0 count as equal). */
export function sameValues(a: tf.Tensor, b: tf.Tensor): boolean {
  const x = a.dataSync();
  const y = b.dataSync();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
