/**
 * Rotary position embeddings in Hugging Face's rotate-half form (not the interleaved GPT-J form):
 * the first and second halves of the rotated dimensions form the pairs.
 *   angle[p, i] = p * inv_freq[i]  (inv_freq from ropeSpec.ts)
 *   x' = x * cos + rotate_half(x) * sin,  rotate_half([x1, x2]) = [-x2, x1]
 * With partial_rotary_factor < 1 (phi3) only the first `dim` dimensions of each head rotate and the
 * rest pass through unchanged.
 */
import { tf, type Tensor } from '../../tf.ts';
import type { RopeSpec } from './hfTypes.ts';

/**
 * cos and sin tables [T, dim] for positions offset .. offset + T - 1 (halves duplicated as HF does),
 * scaled by the spec's attention factor. longrope switches to its long frequencies when the sequence
 * so far (offset + T) passes the pre-training length, as transformers' longrope_frequency_update.
 */
export function ropeTables(spec: RopeSpec, offset: number, t: number): { cos: Tensor; sin: Tensor } {
  const { dim } = spec;
  const half = dim / 2;
  const invFreq = spec.long && offset + t >= spec.long.fromLength ? spec.long.invFreq : spec.invFreq;
  const cos = new Float32Array(t * dim);
  const sin = new Float32Array(t * dim);
  for (let p = 0; p < t; p++) {
    for (let i = 0; i < half; i++) {
      // float32 angles, as transformers computes them, so long positions round the same way
      const angle = Math.fround((offset + p) * invFreq[i]!);
      const c = Math.cos(angle) * spec.attentionScaling;
      const s = Math.sin(angle) * spec.attentionScaling;
      cos[p * dim + i] = c;
      cos[p * dim + i + half] = c;
      sin[p * dim + i] = s;
      sin[p * dim + i + half] = s;
    }
  }
  return { cos: tf.tensor2d(cos, [t, dim]), sin: tf.tensor2d(sin, [t, dim]) };
}

/** x [B, heads, T, D] with tables [T, dim] (dim <= D) -> x [B, heads, T, D] with its first dim dimensions rotated. */
export function applyRope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const d = x.shape[3] as number;
  const dim = cos.shape[1] as number;
  if (dim < d) {
    const [rot, pass] = tf.split(x, [dim, d - dim], 3); // [B, heads, T, dim], [B, heads, T, D - dim]
    return tf.concat([applyRope(rot!, cos, sin), pass!], 3); // [B, heads, T, D]
  }
  // One gradient op that keeps only the tables (as five tape ops it kept x, its rotation and both
  // products). The rotation R is antisymmetric (Rᵀ = -R), so dx = dy·cos - R(dy·sin).
  const op = tf.customGrad((xIn, c, s, save) => {
    (save as tf.GradSaveFunc)([c as Tensor, s as Tensor]);
    const xs = xIn as Tensor;
    return {
      value: tf.add(tf.mul(xs, c as Tensor), tf.mul(rotateHalf(xs), s as Tensor)), // [B, heads, T, D]
      gradFunc: (dy: Tensor, [c0, s0]: Tensor[]) => [tf.sub(tf.mul(dy, c0!), rotateHalf(tf.mul(dy, s0!))), tf.zerosLike(c0!), tf.zerosLike(s0!)],
    };
  });
  return op(x, cos, sin);
}

const rotations = new Map<number, Float32Array>();

/**
 * [x1, x2] -> [-x2, x1] along the last axis (halves of D), as x·R with R [D, D] holding one ±1 per
 * column: each output is one input times ±1 plus zeros, so the values are exactly those of a split,
 * a negation and a concatenation, and it is one matrix product instead of three copies of x (on WASM
 * a product runs on every thread, a copy on one).
 */
function rotateHalf(x: Tensor): Tensor {
  const d = x.shape[x.rank - 1] as number;
  let r = rotations.get(d);
  if (!r) {
    r = new Float32Array(d * d);
    for (let j = 0; j < d / 2; j++) {
      r[(j + d / 2) * d + j] = -1; // out[j] = -x[j + D/2]
      r[j * d + j + d / 2] = 1; // out[j + D/2] = x[j]
    }
    rotations.set(d, r);
  }
  const rotation = r;
  return tf.tidy(() => tf.matMul(x, tf.tensor2d(rotation, [d, d]))); // [..., D]; R freed at once
}
