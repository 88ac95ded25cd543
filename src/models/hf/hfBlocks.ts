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

/**
 * The gradient of a [C] weight broadcast over rows: `rows()` [..., C] summed over every axis but the
 * last; zeros, without computing `rows()`, for a frozen weight (a variable that is not trainable,
 * whose gradient nothing reads). A custom gradient computes every input's gradient eagerly, and on
 * WASM this sum over rows is a transpose and a reduction: about 1.7 ms per norm at [512, 576].
 */
function rowSum(weight: Tensor, rows: () => Tensor, c: number): Tensor {
  if (weight instanceof tf.Variable && !weight.trainable) return tf.zeros([c]); // [C]
  return tf.sum(tf.reshape(rows(), [-1, c]), 0); // [C]
}

/**
 * LayerNorm over the last axis (population variance, as torch). One gradient op that keeps x and the
 * per-row mean and 1/std for the backward pass (as tape ops it kept about six [N, C] tensors).
 */
export function layerNorm(x: Tensor, w: Tensor, b: Tensor, eps: number): Tensor {
  const c = x.shape[x.rank - 1]!;
  const op = tf.customGrad((xIn, wIn, bIn, save) => {
    const [xs, ws, bs] = [xIn as Tensor, wIn as Tensor, bIn as Tensor];
    const { mean, variance } = tf.moments(xs, -1, true); // [..., 1] each
    const rstd = tf.rsqrt(tf.add(variance, eps)); // [..., 1]
    (save as tf.GradSaveFunc)([xs, mean, rstd, ws]);
    return {
      value: tf.add(tf.mul(tf.mul(tf.sub(xs, mean), rstd), ws), bs),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [x0, m0, r0, w0] = saved as [Tensor, Tensor, Tensor, Tensor];
        const xhat = tf.mul(tf.sub(x0, m0), r0); // [..., C]
        const dxhat = tf.mul(dy, w0); // [..., C]
        // d/dx of (x - mean)·rstd: rstd·(dxhat - mean(dxhat) - xhat·mean(dxhat·xhat)) over the row.
        const centred = tf.sub(dxhat, tf.mean(dxhat, -1, true));
        const dx = tf.mul(r0, tf.sub(centred, tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true))));
        return [dx, rowSum(w, () => tf.mul(dy, xhat), c), rowSum(b, () => dy, c)];
      },
    };
  });
  return op(x, w, b);
}

/**
 * RMSNorm over the last axis: w * x / sqrt(mean(x²) + eps), or (1 + w) * ... with `plusOne` (gemma).
 * One gradient op that keeps only x and the per-row 1/rms for the backward pass: as four tape ops it
 * kept x, x², x/rms and the scaled output's input (three [N, C] tensors more per norm, two norms a block).
 */
export function rmsNorm(x: Tensor, w: Tensor, eps: number, plusOne = false): Tensor {
  const c = x.shape[x.rank - 1]!;
  const op = tf.customGrad((xIn, wIn, save) => {
    const [xs, ws] = [xIn as Tensor, wIn as Tensor];
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(xs), -1, true), eps)); // [..., 1]
    const scale = plusOne ? tf.add(ws, 1) : ws; // [C]
    (save as tf.GradSaveFunc)([xs, r, scale]);
    return {
      value: tf.mul(tf.mul(xs, r), scale),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [x0, r0, s0] = saved as [Tensor, Tensor, Tensor];
        const xhat = tf.mul(x0, r0); // [..., C]
        const dxhat = tf.mul(dy, s0); // [..., C]
        // d/dx of x·r: r·(dxhat - xhat·mean(dxhat·xhat)) over the row.
        const dx = tf.mul(r0, tf.sub(dxhat, tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true))));
        return [dx, rowSum(w, () => tf.mul(dy, xhat), c)];
      },
    };
  });
  return op(x, w);
}

/**
 * The llama MLP's gate: silu(gate) * up, one gradient op that keeps only gate and up (as three tape ops
 * it also kept sigmoid(gate) and silu(gate): two [N, I] tensors more per block).
 */
export function siluGate(gate: Tensor, up: Tensor): Tensor {
  const op = tf.customGrad((gIn, uIn, save) => {
    const [g, u] = [gIn as Tensor, uIn as Tensor];
    (save as tf.GradSaveFunc)([g, u]);
    return {
      value: tf.mul(tf.mul(g, tf.sigmoid(g)), u),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [g0, u0] = saved as [Tensor, Tensor];
        const s = tf.sigmoid(g0);
        const silu = tf.mul(g0, s);
        // silu'(g) = s + g·s·(1 - s) = s·(1 + g - silu)
        const dg = tf.mul(tf.mul(dy, u0), tf.mul(s, tf.sub(tf.add(g0, 1), silu)));
        return [dg, tf.mul(dy, silu)];
      },
    };
  });
  return op(gate, up);
}

/**
 * gpt2's gelu_new: 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))). One gradient op that keeps only x
 * (as eight tape ops it kept about a dozen [N, I] tensors).
 */
export function geluNew(x: Tensor): Tensor {
  const k = Math.sqrt(2 / Math.PI);
  const tanhInner = (v: Tensor): Tensor => tf.tanh(tf.mul(tf.add(v, tf.mul(tf.mul(tf.square(v), v), 0.044715)), k));
  const op = tf.customGrad((xIn, save) => {
    const xs = xIn as Tensor;
    (save as tf.GradSaveFunc)([xs]);
    return {
      value: tf.mul(tf.mul(xs, 0.5), tf.add(tanhInner(xs), 1)),
      gradFunc: (dy: Tensor, [x0]: Tensor[]) => {
        const t = tanhInner(x0!);
        // 0.5 (1 + t) + 0.5 x (1 - t²) k (1 + 3·0.044715 x²)
        const slope = tf.mul(tf.mul(tf.mul(x0!, 0.5), tf.sub(1, tf.square(t))), tf.mul(tf.add(tf.mul(tf.square(x0!), 3 * 0.044715), 1), k));
        return tf.mul(dy, tf.add(tf.mul(tf.add(t, 1), 0.5), slope));
      },
    };
  });
  return op(x);
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
