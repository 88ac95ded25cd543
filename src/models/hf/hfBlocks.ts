/**
 * Building blocks shared by the gpt2 and llama forward passes. Activations are kept as [B*T, C]
 * between blocks so every projection is one plain 2-D matMul.
 */
import { EngineError } from '../../errors.ts';
import { tf, type Tensor, type Tensor2D } from '../../tf.ts';
import { tableChunks, type ForwardContext } from './hfLinear.ts';
import { noGradient } from '../../train/noGradient.ts';
import { gatherRows } from './rowChunks.ts';
import type { KvCache } from './hfTypes.ts';

/** The forward pass of one architecture: ids [B, T] -> final hidden states [B*T, C] (and the grown cache); causalLmLogits' headLogits makes logits. */
export interface ForwardInput {
  ctx: ForwardContext;
  ids: Tensor2D;
  mask?: Tensor2D;
  cache?: KvCache;
  /** Absolute position of ids[:, 0]. */
  offset: number;
}

export interface ForwardOutput {
  /** [B*T, C]: after the final norm, before lm_head. The loss takes them (chunked cross-entropy). */
  hidden: Tensor;
  cache?: KvCache;
}

/** LayerNorm over the last axis (population variance, as torch). */
export function layerNorm(x: Tensor, w: Tensor, b: Tensor, eps: number): Tensor {
  const { mean, variance } = tf.moments(x, -1, true); // [N, 1] each
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), w), b);
}

/** RMSNorm over the last axis: w * x / sqrt(mean(x²) + eps), or (1 + w) * ... with `plusOne` (gemma). */
export function rmsNorm(x: Tensor, w: Tensor, eps: number, plusOne = false): Tensor {
  const meanSquare = tf.mean(tf.square(x), -1, true); // [..., 1]
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), plusOne ? tf.add(w, 1) : w);
}

/** gpt2's gelu_new: 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))). */
export function geluNew(x: Tensor): Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** Token embeddings from the table `name` (whole or in row chunks): ids [B, T] -> [B*T, C]. */
export function embedTokens(ctx: ForwardContext, ids: Tensor2D, name: string): Tensor {
  const flat = tf.reshape(ids, [-1]); // [B*T]
  const table = tableChunks(ctx.lm, name);
  // A frozen table takes no gradient: gathered off the tape, so no backward pass is recorded for it
  // (on the tape, TF.js saves the table for the gather's gradient; kernels/wasm/wasmIdentity.ts keeps that save from copying it).
  if (table.every((t) => !t.trainable)) return noGradient(() => gatherRows(table, flat)); // [B*T, C]
  return gatherRows(table, flat); // [B*T, C]
}

/** Appends this step's keys/values to the layer's cached ones along time. */
export function withPast(cache: KvCache | undefined, layer: number, k: Tensor, v: Tensor): [Tensor, Tensor] {
  if (!cache || cache.length === 0) return [k, v];
  return [tf.concat([cache.keys[layer]!, k], 2), tf.concat([cache.values[layer]!, v], 2)]; // [B, kvHeads, Tpast+T, D]
}

export function checkCache(cache: KvCache | undefined, layers: number): void {
  if (cache && cache.length > 0 && (cache.keys.length !== layers || cache.values.length !== layers))
    throw new EngineError('hf-input-invalid', `the KV cache holds ${cache.keys.length} layers but the model has ${layers}; start decoding with emptyKvCache().`);
}
