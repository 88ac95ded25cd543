/**
 * The causal language-model loss, as transformers computes it (loss_utils.ForCausalLMLoss):
 * cross-entropy of each position's next-token logits against its target, summed over the targets
 * that are not ignored (-100) and divided by their number.
 *
 *   loss = -(1 / N) Σ_{(b,t): labels[b,t] != -100} log softmax(logits[b, t])[labels[b, t]]
 *
 * Unlike transformers, which receives unshifted labels (labels == input_ids) and shifts them inside
 * the loss, the labels here come ALREADY SHIFTED: lmBatch (src/data/text/lmBatch.ts) writes
 * labels[t] = ids[t + 1], so logits[:, t] is scored against labels[:, t] directly, with no slicing.
 * The last real position, padding and untrained (prompt) tokens carry -100.
 *
 * Differences from torch on purpose: a batch with no target at all gives loss 0 (torch gives NaN),
 * still connected to the logits so tf.variableGrads returns (zero) gradients instead of throwing.
 */
import { EngineError } from '../errors.ts';
import { tf, type Scalar, type Tensor } from '../tf.ts';

/** Label value the loss skips, as torch's cross-entropy ignore_index. Same as lmBatch's IGNORE_LABEL. */
export const IGNORE_INDEX = -100;

export interface CausalLmLossOutput {
  /** Mean negative log-likelihood over the counted targets (nats per token). */
  loss: Scalar;
  /** How many targets the mean is over (labels that are not -100). */
  tokens: number;
}

/** Positions whose label is counted (not -100), in order; a label outside [0, vocab) throws. */
export function labelledPositions(labels: Int32Array, vocab: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label === IGNORE_INDEX) continue;
    if (!(Number.isInteger(label) && label >= 0 && label < vocab))
      throw new EngineError('internal', `causalLmLoss: label ${label} at position ${i} is outside the vocabulary [0, ${vocab}) and is not ${IGNORE_INDEX}.`);
    out.push(i);
  }
  return Int32Array.from(out);
}

/**
 * logits [B, T, V] (any float values), labels [B, T] int32 (typed array in row-major order, or an
 * int32 tensor, which is read back) -> mean cross-entropy over the labels that are not -100.
 * Uses logSoftmax, so large logits do not overflow. Labels outside [0, V) other than -100 throw.
 * Call inside tf.variableGrads / tf.tidy as any op; only the returned scalar outlives the call.
 */
export function causalLmLoss(logits: Tensor, labels: Int32Array | Tensor): CausalLmLossOutput {
  if (logits.rank !== 3)
    throw new EngineError('internal', `causalLmLoss expects logits [batch, length, vocab]; got [${logits.shape.join(', ')}].`);
  const [b, t, v] = logits.shape as [number, number, number];
  const n = b * t;
  let values: Int32Array;
  if (labels instanceof tf.Tensor) {
    if (labels.shape.length !== 2 || labels.shape[0] !== b || labels.shape[1] !== t)
      throw new EngineError('internal', `causalLmLoss: labels [${labels.shape.join(', ')}] do not match logits [${b}, ${t}, ${v}].`);
    values = Int32Array.from(labels.dataSync());
  } else {
    if (labels.length !== n) throw new EngineError('internal', `causalLmLoss: ${labels.length} labels for logits [${b}, ${t}, ${v}].`);
    values = labels;
  }

  // Ignored positions get label 0 and weight 0; counted ones weight 1/N. The one-hot lives on the backend
  // (the size of the logits, which the backward pass materialises anyway) and picks each row's
  // log-probability; ignored rows contribute exactly 0 (logSoftmax of finite logits is finite, no NaN).
  const tokens = labelledPositions(values, v).length;
  const safe = Int32Array.from(values, (label) => (label === IGNORE_INDEX ? 0 : label));
  if (tokens === 0) {
    return { loss: tf.tidy(() => tf.mul(tf.sum(logits), 0) as Scalar), tokens: 0 };
  }
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) if (values[i] !== IGNORE_INDEX) weights[i] = 1 / tokens;
  const loss = tf.tidy(() => {
    const logProbs = tf.logSoftmax(tf.reshape(logits, [n, v])); // [B*T, V]
    // int32 one-hot then a cast: the wasm backend's OneHot (4.22) writes zeros when asked for float32 directly.
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d(safe, 'int32'), v), 'float32'); // [B*T, V]
    const picked = tf.sum(tf.mul(logProbs, oneHot), -1); // [B*T]
    return tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(weights)))) as Scalar;
  });
  return { loss, tokens };
}
