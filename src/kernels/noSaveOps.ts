/**
 * Ops whose gradients need their inputs' shapes only, written so the gradient tape keeps nothing.
 *
 * Why: TF.js' Add and Reshape keep their inputs for the backward pass just to read their shapes, and
 * keeping a tensor keeps its buffer (a reshape shares its input's). In a transformer block that held
 * every sublayer's output on the residual stream, each projection's output under a bias or a LoRA
 * term, and q, k, v, the attention scores and output (through the reshapes between heads and tokens)
 * until the backward pass reached them: on SmolLM2's shapes about a quarter of what a block kept.
 */
import { tf, type Tensor } from '../tf.ts';

/** dy [out shape] summed down to `shape` over the axes broadcasting added or stretched. */
function unbroadcast(dy: Tensor, shape: number[]): Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

/** a + b, broadcasting as tf.add does; the gradient keeps nothing but the two shapes. */
export function addNoSave(a: Tensor, b: Tensor): Tensor {
  const [aShape, bShape] = [a.shape, b.shape];
  const op = tf.customGrad((aIn, bIn) => ({
    value: tf.add(aIn as Tensor, bIn as Tensor),
    // Each input's gradient a tensor of its own (a reshape of dy at most): the backward pass frees them one by one.
    gradFunc: (dy: Tensor) => [unbroadcast(dy, aShape), unbroadcast(dy, bShape)],
  }));
  return op(a, b);
}

/** tf.reshape(x, shape); the gradient keeps nothing but x's shape. */
export function view(x: Tensor, shape: number[]): Tensor {
  const from = x.shape;
  const op = tf.customGrad((xIn) => ({
    value: tf.reshape(xIn as Tensor, shape),
    gradFunc: (dy: Tensor) => tf.reshape(dy, from),
  }));
  return op(x);
}
