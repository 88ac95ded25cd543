/**
 * Scaled dot-product attention shared by gpt2 and the llama family: causal mask combined with the
 * right-padding mask, optional past keys/values, and grouped-query heads.
 */
import { EngineError } from '../../errors.ts';
import { view } from '../../kernels/noSaveOps.ts';
import { tf, type Tensor, type Tensor2D } from '../../tf.ts';

/**
 * Added to the scores of keys a query must not see. Large and finite rather than -inf, so a row whose
 * keys are all masked (a padding query) gives a uniform softmax instead of NaN.
 */
export const MASKED = -1e9;

/**
 * Additive bias [B or 1, 1, T, past + T]: query t (absolute position past + t) sees key j when
 * j <= past + t and, with a mask, when mask[b, j] is 1. The mask covers past and current tokens.
 * With a sliding window w the query also sees only keys j > past + t - w (transformers'
 * sliding_window_overlay): itself and the w - 1 tokens before it. Cached keys stay in the cache and
 * are masked by position, so generation with the KV cache gives the same logits as a full forward.
 */
export function attentionBias(T: number, past: number, mask?: Tensor2D, slidingWindow: number | null = null): Tensor {
  const total = past + T;
  const query = tf.reshape(tf.range(past, total, 1, 'int32'), [T, 1]); // [T, 1]
  const key = tf.reshape(tf.range(0, total, 1, 'int32'), [1, total]); // [1, Tk]
  let causal = tf.lessEqual(key, query); // [T, Tk]
  if (slidingWindow !== null) causal = tf.logicalAnd(causal, tf.greater(key, tf.sub(query, slidingWindow))); // [T, Tk]
  let allowed = tf.reshape(causal, [1, 1, T, total]); // [1, 1, T, Tk]
  if (mask) {
    if (mask.shape[1] !== total)
      throw new EngineError('hf-input-invalid', `the attention mask has ${mask.shape[1]} columns but the past and current tokens number ${total}; give one mask column per token, cached ones included.`);
    const real = tf.reshape(tf.greater(mask, 0), [mask.shape[0], 1, 1, total]); // [B, 1, 1, Tk]
    allowed = tf.logicalAnd(allowed, real); // [B, 1, T, Tk]
  }
  return tf.where(allowed, tf.zeros(allowed.shape), tf.fill(allowed.shape, MASKED)); // [B or 1, 1, T, Tk]
}

/** [B, kvHeads, Tk, D] -> [B, kvHeads * groups, Tk, D], each kv head repeated for its query heads (HF repeat_kv). */
export function repeatKv(x: Tensor, groups: number): Tensor {
  if (groups === 1) return x;
  const [b, kvHeads, tk, d] = x.shape as [number, number, number, number];
  // A broadcasting multiply by ones rather than HF's expand+reshape (TF.js has no gradient for rank-5
  // tile), a stack or a concat: their gradients (Unpack, Split) slice a rank-5 tensor, which the WASM
  // backend does element by element (seconds per layer at SmolLM2 widths); Mul's gradient is a Sum
  // over the broadcast axis (docs/benchmarks.md).
  const repeated = tf.mul(tf.expandDims(x, 2), tf.ones([1, 1, groups, 1, 1])); // [B, kvHeads, groups, Tk, D]
  return tf.reshape(repeated, [b, kvHeads * groups, tk, d]); // [B, kvHeads * groups, Tk, D]
}

export interface AttendOptions {
  /** Multiplies q·k; default 1/sqrt(head_dim). */
  scale?: number;
  /** softcap * tanh(scores / softcap) before the mask is added (gemma2); null or absent: none. */
  softcap?: number | null;
}

/**
 * q [B, H, T, D], k and v [B, kvHeads, Tk, D], bias from attentionBias -> [B * T, H * D],
 * the heads' outputs side by side per token, ready for the output projection.
 *
 * Grouped-query heads share their kv head without repeating it (HF's repeat_kv): query heads
 * j·g .. j·g + g - 1 use kv head j, and they lie next to each other in q, so q seen as
 * [B, kvHeads, g·T, D] (a reshape, no copy) meets k and v once per kv head. The products' gradients
 * then sum each group into dk and dv themselves, and no g-times-larger copy of k and v is made, kept
 * for the backward pass, or summed back.
 */
export function attend(q: Tensor, k: Tensor, v: Tensor, bias: Tensor, opts: AttendOptions = {}): Tensor {
  const [b, h, t, d] = q.shape as [number, number, number, number];
  const [kvHeads, tk] = [k.shape[1] as number, k.shape[2] as number];
  const grouped = view(q, [b, kvHeads, (h / kvHeads) * t, d]); // [B, kvHeads, g*T, D]
  const scores = view(tf.matMul(grouped, k, false, true), [b, h, t, tk]); // [B, H, T, Tk]
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  // Soft-capping needs the scaled scores; otherwise the scale goes inside the softmax op, whose
  // gradient keeps only the probabilities (a Mul would keep the [B, H, T, Tk] scores too).
  const probs = opts.softcap
    ? maskedSoftmax(tf.mul(tf.tanh(tf.div(tf.mul(scores, scale), opts.softcap)), opts.softcap), bias, 1)
    : maskedSoftmax(scores, bias, scale); // [B, H, T, Tk]
  const out = tf.matMul(view(probs, [b, kvHeads, (h / kvHeads) * t, tk]), v); // [B, kvHeads, g*T, D]
  const perToken = tf.transpose(view(out, [b, h, t, d]), [0, 2, 1, 3]); // [B, T, H, D]
  return view(perToken, [b * t, h * d]); // [B*T, H*D]
}

/**
 * softmax(scale·scores + bias) over the last axis, one gradient op that keeps only the probabilities
 * (as three tape ops it also kept the scores and the biased scores: two [B, H, T, Tk] tensors more per
 * block). The bias is a constant (attentionBias): no gradient flows to it.
 */
function maskedSoftmax(scores: Tensor, bias: Tensor, scale: number): Tensor {
  const op = tf.customGrad((sIn, save) => {
    const scaled = scale === 1 ? (sIn as Tensor) : tf.mul(sIn as Tensor, scale);
    const probs = tf.softmax(tf.add(scaled, bias), -1); // [B, H, T, Tk]
    (save as tf.GradSaveFunc)([probs]);
    return {
      value: probs,
      // d/ds: scale · p · (dy - Σ dy·p) over the row.
      gradFunc: (dy: Tensor, [p]: Tensor[]) => {
        const dz = tf.mul(p!, tf.sub(dy, tf.sum(tf.mul(dy, p!), -1, true)));
        return scale === 1 ? dz : tf.mul(dz, scale);
      },
    };
  });
  return op(scores);
}

/** x [B*T, heads * D] -> [B, heads, T, D]. */
export function splitHeads(x: Tensor, b: number, t: number, heads: number, d: number): Tensor {
  const perToken = view(x, [b, t, heads, d]); // [B, T, heads, D]
  return tf.transpose(perToken, [0, 2, 1, 3]); // [B, heads, T, D]
}
