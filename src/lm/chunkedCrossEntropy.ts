/**
 * Token log-probabilities straight from the final hidden states and a frozen lm_head, without ever
 * holding the [B, T, V] logits or their gradient: at SmolLM2's vocabulary (49,152) and batch 4 x 128
 * those are 100 MB each, and the plain loss keeps five such tensors alive at once. Two losses are
 * built on it: the causal-LM loss (chunkedCausalLmLoss: mean cross-entropy over the labels that are
 * not -100, as train/causalLmLoss.ts) and the preference runs' summed completion log-probabilities
 * (train/preferenceLoss.ts preferenceLogps: a masked sum per sequence).
 *
 * Only positions with a label get logits at all, a chunk of them at a time ([m, V], at most
 * CHUNK_BYTES in hfMemory.ts). As Liger's fused linear cross-entropy does, the gradient is made in the same pass,
 * while the chunk's logits exist: for one position with logits z = h·Wᵀ and label y,
 *   lp = log softmax(z)[y]   ∂lp/∂z = onehot(y) - softmax(z)   so   ∂lp/∂h = W[y] - softmax(z)·W
 * (W[y] is a row gather: no one-hot is built). With gemma2's final soft-capping z = cap·tanh(u/cap),
 * u = h·Wᵀ, each logit's gradient is also scaled by ∂z/∂u = 1 - (z/cap)². The head may be held in
 * row chunks (rowChunks.ts: big vocabularies on WebGPU); the logits and the gradient are taken chunk
 * by chunk of it. The per-token gradients [M, C] are kept (at most the size of the hidden states) and
 * scaled by each token's dy in the backward pass, so nothing is recomputed. lm_head is frozen in every
 * plan (lm_head is not a LoRA target here), so no weight gradient is needed; a trainable head throws.
 * Without a gradient tape (validation, a reference pass) the log-probabilities alone are computed.
 */
import { EngineError } from '../errors.ts';
import { logicalShape } from '../kernels/halfMatMul.ts';
import { headLogits, type LmHead } from '../models/hf/causalLmLogits.ts';
import { chunkTokens } from '../models/hf/hfMemory.ts';
import { gatherRows, weightedRows } from '../models/hf/rowChunks.ts';
import { tf, type Scalar, type Tensor, type Tensor1D } from '../tf.ts';
import { labelledPositions, type CausalLmLossOutput } from '../train/causalLmLoss.ts';

/** One chunk's log softmax(z)[label], z = softcap(h·Wᵀ), and, with `grad`, each one's gradient for its h. */
function chunkLogps(hidden: Tensor, head: LmHead, positions: Int32Array, labels: Int32Array, vocab: number, grad: boolean): { logps: Tensor; dh?: Tensor } {
  return tf.tidy(() => {
    const m = positions.length;
    const hc = tf.gather(hidden, tf.tensor1d(positions, 'int32')); // [m, C]
    const logits = headLogits(head, hc); // [m, V]
    // One softmax (XNNPACK's on WASM: 4x faster than the scalar Exp that logSumExp and exp(z - lse)
    // would run twice) gives both the gradient's probabilities and the log-sum-exp: softmax at the
    // largest logit is exactly 1 / Σ exp(z - max z), so lse = max z - log(max p) (max p >= 1/V, no underflow).
    const probs = tf.softmax(logits); // [m, V]
    const lse = tf.sub(tf.max(logits, -1), tf.log(tf.max(probs, -1))); // [m]
    // Each row's label logit, picked from the flattened chunk: row i's label sits at i*V + y.
    const flat = Int32Array.from(labels, (y, i) => i * vocab + y);
    const picked = tf.gather(tf.reshape(logits, [m * vocab]), tf.tensor1d(flat, 'int32')); // [m]
    const logps = tf.sub(picked, lse); // [m]
    if (!grad) return { logps };
    const rowsY = gatherRows(head.chunks, tf.tensor1d(labels, 'int32')); // [m, C]: W[y]
    const cap = head.softcap;
    if (!cap) return { logps, dh: tf.sub(rowsY, weightedRows(probs, head.chunks)) }; // [m, C]
    // Through the soft-capping: each logit's gradient times 1 - (z/cap)², the label's too.
    const slope = tf.sub(1, tf.square(tf.div(logits, cap))); // [m, V]
    const slopeY = tf.gather(tf.reshape(slope, [m * vocab]), tf.tensor1d(flat, 'int32')); // [m]
    return { logps, dh: tf.sub(tf.mul(rowsY, tf.expandDims(slopeY, 1)), weightedRows(tf.mul(probs, slope), head.chunks)) }; // [m, C]
  });
}

/** Log-probabilities of the labelled positions, in order. */
export interface TokenLogps {
  /** [M] log softmax(logits at positions[j])[labels[positions[j]]]. */
  logps: Tensor1D;
  /** [M] the positions (indices into the N rows of `hidden`) whose label is not -100. */
  positions: Int32Array;
}

function checkInputs(hidden: Tensor, head: LmHead, labels: Int32Array, what: string): number {
  const [n = 0, c = 0] = hidden.shape;
  const vocab = head.chunks.reduce((sum, t) => sum + (t.shape[0] ?? 0), 0);
  // A float16-held head is [V_k, C/2] packed: its logical shape is what must match.
  const headC = head.chunks[0] ? logicalShape(head.chunks[0])[1] : undefined;
  if (hidden.rank !== 2 || head.chunks.some((t) => t.rank !== 2 || logicalShape(t)[1] !== c) || labels.length !== n)
    throw new EngineError('internal', `${what}: hidden [${n}, ${c}], head [${vocab}, ${headC}] and ${labels.length} labels do not match.`);
  if (head.chunks.some((t) => t instanceof tf.Variable && t.trainable))
    throw new EngineError('internal', `${what}: lm_head is trainable but this loss gives no gradient for it; use causalLmLoss on the logits.`);
  return vocab;
}

/**
 * hidden [N, C] (final hidden states), head (lmHeadOf: lm_head or the tied embedding, frozen, whole
 * or in row chunks, with the family's soft-capping), labels [N] (already shifted, -100 ignored) ->
 * the log-probability of each labelled position's label [M], differentiable with respect to
 * `hidden`. `chunk`: labelled positions per chunk (default chunkTokens(V)).
 */
export function chunkedTokenLogps(hidden: Tensor, head: LmHead, labels: Int32Array, chunk?: number): TokenLogps {
  const vocab = checkInputs(hidden, head, labels, 'chunkedTokenLogps');
  const [n = 0, c = 0] = hidden.shape;
  const positions = labelledPositions(labels, vocab);
  const tokens = positions.length;
  // None labelled: an empty result, still connected to the input so its gradient is zeros, not an error.
  if (tokens === 0) return { logps: tf.tidy(() => tf.mul(tf.zeros([0]), tf.sum(hidden)) as Tensor1D), positions };
  const size = Math.max(1, chunk ?? chunkTokens(vocab));
  const targets = Int32Array.from(positions, (p) => labels[p]!);
  const chunks = (grad: boolean): { logps: Tensor1D; dh?: Tensor } =>
    tf.tidy(() => {
      const lps: Tensor[] = [];
      const dhs: Tensor[] = [];
      for (let s = 0; s < tokens; s += size) {
        const r = chunkLogps(hidden, head, positions.subarray(s, s + size), targets.subarray(s, s + size), vocab, grad);
        lps.push(r.logps);
        if (r.dh) dhs.push(r.dh);
      }
      const logps = (lps.length === 1 ? lps[0]! : tf.concat(lps)) as Tensor1D; // [M]
      return grad ? { logps, dh: dhs.length === 1 ? dhs[0]! : tf.concat(dhs, 0) } : { logps }; // dh [M, C]
    });
  if (!tf.engine().isTapeOn()) return { logps: chunks(false).logps, positions };
  const fused = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    const { logps, dh } = chunks(true); // reads `hidden`, which is args[0]
    save([dh!]);
    return {
      value: logps,
      // Each token's gradient times its dy; rows without a label get zeros: scatter into [N, C].
      gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.scatterND(tf.tensor2d(positions, [tokens, 1], 'int32'), tf.mul(saved[0]!, tf.expandDims(dy, 1)), [n, c])],
    };
  });
  return { logps: fused(hidden) as Tensor1D, positions };
}

/**
 * hidden [N, C] (N = B*T), head and labels [N] as chunkedTokenLogps -> the same loss as
 * causalLmLoss(causalLmLogits' logits, labels): minus the mean token log-probability, differentiable
 * with respect to `hidden`.
 */
export function chunkedCausalLmLoss(hidden: Tensor, head: LmHead, labels: Int32Array, chunk?: number): CausalLmLossOutput {
  const vocab = checkInputs(hidden, head, labels, 'chunkedCausalLmLoss');
  const tokens = labelledPositions(labels, vocab).length;
  // As causalLmLoss: no target gives 0, still connected to the input so gradients are zeros, not an error.
  if (tokens === 0) return { loss: tf.tidy(() => tf.mul(tf.sum(hidden), 0) as Scalar), tokens: 0 };
  const loss = tf.tidy(() => tf.div(tf.neg(tf.sum(chunkedTokenLogps(hidden, head, labels, chunk).logps)), tokens) as Scalar);
  return { loss, tokens };
}
