/**
 * Rotary position embeddings in Hugging Face's rotate-half form (not the interleaved GPT-J form):
 * the first and second halves of each head's dimensions form the rotated pairs.
 *   inv_freq[i] = 1 / theta^(2i / d),  angle[p, i] = p * inv_freq[i]
 *   x' = x * cos + rotate_half(x) * sin,  rotate_half([x1, x2]) = [-x2, x1]
 */
import { tf, type Tensor } from '../../tf.ts';

/** cos and sin tables [T, D] for positions offset .. offset + T - 1 (halves duplicated as HF does). */
export function ropeTables(offset: number, t: number, headDim: number, theta: number): { cos: Tensor; sin: Tensor } {
  const half = headDim / 2;
  const cos = new Float32Array(t * headDim);
  const sin = new Float32Array(t * headDim);
  for (let p = 0; p < t; p++) {
    for (let i = 0; i < half; i++) {
      // float32 inv_freq, as transformers computes it, so angles at long positions round the same way
      const invFreq = Math.fround(1 / Math.pow(theta, (2 * i) / headDim));
      const angle = Math.fround((offset + p) * invFreq);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * headDim + i] = c;
      cos[p * headDim + i + half] = c;
      sin[p * headDim + i] = s;
      sin[p * headDim + i + half] = s;
    }
  }
  return { cos: tf.tensor2d(cos, [t, headDim]), sin: tf.tensor2d(sin, [t, headDim]) };
}

/** x [B, heads, T, D] with tables [T, D] -> rotated x [B, heads, T, D]. */
export function applyRope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const d = x.shape[3] as number;
  const [x1, x2] = tf.split(x, [d / 2, d / 2], 3); // each [B, heads, T, D/2]
  const rotated = tf.concat([tf.neg(x2!), x1!], 3); // [B, heads, T, D]
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
}
