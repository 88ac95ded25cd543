import { tf, type Tensor } from '../tf.ts';

/**
 * Global-norm gradient clipping, as torch.nn.utils.clip_grad_norm_ (norm_type 2):
 *   norm  = sqrt(sum over all grads of sum(g^2))
 *   scale = min(1, maxNorm / (norm + 1e-6))      -> grads change only when scale < 1
 *   g    <- g * scale
 * Returns new tensors (the inputs are left to their owner) and the pre-clip norm as a scalar
 * tensor, so the caller decides when, or whether, to pay for a readback. Intermediates are tidied
 * here; call it inside the step's tf.tidy (or dispose the results) so the outputs are freed too.
 * As in torch (error_if_nonfinite = false), a NaN or infinite norm is not an error: it propagates.
 */
export function clipByGlobalNorm(grads: Record<string, Tensor>, maxNorm: number): { grads: Record<string, Tensor>; norm: tf.Scalar } {
  if (!(maxNorm > 0)) throw new RangeError(`maxNorm must be > 0, got ${maxNorm}`);
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const squares = names.map((name) => tf.sum(tf.square(grads[name]!)));
    const norm: tf.Scalar = squares.length > 0 ? (tf.sqrt(tf.addN(squares)) as tf.Scalar) : tf.scalar(0);
    const scale = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    const clipped: Record<string, Tensor> = {};
    for (const name of names) clipped[name] = tf.mul(grads[name]!, scale);
    return { grads: clipped, norm };
  });
}
