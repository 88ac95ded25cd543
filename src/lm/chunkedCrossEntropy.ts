/**
 * The causal-LM loss (train/causalLmLoss.ts: mean cross-entropy over the labels that are not -100)
 * straight from the final hidden states and a frozen lm_head, without ever holding the [B, T, V]
 * logits or their gradient: at SmolLM2's vocabulary (49,152) and batch 4 x 128 those are 100 MB
 * each, and the plain loss keeps five such tensors alive at once.
 *
 * Only positions with a label get logits at all, a chunk of them at a time ([m, V], at most
 * CHUNK_BYTES in hfMemory.ts). As Liger's fused linear cross-entropy does, the gradient is made in the same pass,
 * while the chunk's logits exist: for one position with logits z = h·Wᵀ and label y,
 *   ∂loss/∂z = (softmax(z) - onehot(y)) / N   so   ∂loss/∂h = (softmax(z)·W - W[y]) / N
 * (W[y] is a row gather: no one-hot is built). With gemma2's final soft-capping z = cap·tanh(u/cap),
 * u = h·Wᵀ, each logit's gradient is also scaled by ∂z/∂u = 1 - (z/cap)². The head may be held in
 * row chunks (rowChunks.ts: big vocabularies on WebGPU); the logits and the gradient are taken chunk
 * by chunk of it. The gradient [N, C] is kept (the size of the hidden
 * states) and scaled by dy in the backward pass, so nothing is recomputed. lm_head is frozen in every
 * plan (lm_head is not a LoRA target here), so no weight gradient is needed; a trainable head throws.
 * Without a gradient tape (validation) the loss alone is computed, chunk by chunk.
 */
import { EngineError } from '../errors.ts';
import { logicalShape } from '../kernels/halfMatMul.ts';
import { headLogits, type LmHead } from '../models/hf/causalLmLogits.ts';
import { chunkTokens } from '../models/hf/hfMemory.ts';
import { gatherRows, weightedRows } from '../models/hf/rowChunks.ts';
import { tf, type Scalar, type Tensor } from '../tf.ts';
import { labelledPositions, type CausalLmLossOutput } from '../train/causalLmLoss.ts';

/** Sum over one chunk of -log softmax(z)[label], z = softcap(h·Wᵀ), and, with `grad`, its gradient for h times `gradScale`. */
function chunkLoss(hidden: Tensor, head: LmHead, positions: Int32Array, labels: Int32Array, vocab: number, gradScale: number | null): { sum: Scalar; dh?: Tensor } {
  return tf.tidy(() => {
    const m = positions.length;
    const hc = tf.gather(hidden, tf.tensor1d(positions, 'int32')); // [m, C]
    const logits = headLogits(head, hc); // [m, V]
    const lse = tf.logSumExp(logits, -1, true); // [m, 1]
    // Each row's label logit, picked from the flattened chunk: row i's label sits at i*V + y.
    const flat = Int32Array.from(labels, (y, i) => i * vocab + y);
    const picked = tf.gather(tf.reshape(logits, [m * vocab]), tf.tensor1d(flat, 'int32')); // [m]
    const sum = tf.sum(tf.sub(tf.reshape(lse, [m]), picked)) as Scalar;
    if (gradScale === null) return { sum };
    const probs = tf.exp(tf.sub(logits, lse)); // [m, V]: softmax
    const rowsY = gatherRows(head.chunks, tf.tensor1d(labels, 'int32')); // [m, C]: W[y]
    const cap = head.softcap;
    if (!cap) return { sum, dh: tf.mul(tf.sub(weightedRows(probs, head.chunks), rowsY), gradScale) }; // [m, C]
    // Through the soft-capping: each logit's gradient times 1 - (z/cap)², the label's too.
    const slope = tf.sub(1, tf.square(tf.div(logits, cap))); // [m, V]
    const slopeY = tf.gather(tf.reshape(slope, [m * vocab]), tf.tensor1d(flat, 'int32')); // [m]
    const dh = tf.sub(weightedRows(tf.mul(probs, slope), head.chunks), tf.mul(rowsY, tf.expandDims(slopeY, 1))); // [m, C]
    return { sum, dh: tf.mul(dh, gradScale) };
  });
}

/**
 * hidden [N, C] (N = B*T, final hidden states), head (lmHeadOf: lm_head or the tied embedding, frozen,
 * whole or in row chunks, with the family's soft-capping), labels [N] (already shifted, -100 ignored)
 * -> the same loss as causalLmLoss(causalLmLogits' logits, labels),
 * differentiable with respect to `hidden`. `chunk`: labelled positions per chunk (default chunkTokens(V)).
 */
export function chunkedCausalLmLoss(hidden: Tensor, head: LmHead, labels: Int32Array, chunk?: number): CausalLmLossOutput {
  const [n = 0, c = 0] = hidden.shape;
  const vocab = head.chunks.reduce((sum, t) => sum + (t.shape[0] ?? 0), 0);
  // A float16-held head is [V_k, C/2] packed: its logical shape is what must match.
  const headC = head.chunks[0] ? logicalShape(head.chunks[0])[1] : undefined;
  if (hidden.rank !== 2 || head.chunks.some((t) => t.rank !== 2 || logicalShape(t)[1] !== c) || labels.length !== n)
    throw new EngineError('internal', `chunkedCausalLmLoss: hidden [${n}, ${c}], head [${vocab}, ${headC}] and ${labels.length} labels do not match.`);
  if (head.chunks.some((t) => t instanceof tf.Variable && t.trainable))
    throw new EngineError('internal', 'chunkedCausalLmLoss: lm_head is trainable but this loss gives no gradient for it; use causalLmLoss on the logits.');
  const positions = labelledPositions(labels, vocab);
  const tokens = positions.length;
  // As causalLmLoss: no target gives 0, still connected to the input so gradients are zeros, not an error.
  if (tokens === 0) return { loss: tf.tidy(() => tf.mul(tf.sum(hidden), 0) as Scalar), tokens: 0 };
  const size = Math.max(1, chunk ?? chunkTokens(vocab));
  const targets = Int32Array.from(positions, (p) => labels[p]!);
  const chunks = (grad: boolean): { loss: Scalar; dh?: Tensor } =>
    tf.tidy(() => {
      let total: Tensor = tf.scalar(0);
      const parts: Tensor[] = [];
      for (let s = 0; s < tokens; s += size) {
        const r = chunkLoss(hidden, head, positions.subarray(s, s + size), targets.subarray(s, s + size), vocab, grad ? 1 / tokens : null);
        total = tf.add(total, r.sum);
        if (r.dh) parts.push(r.dh);
      }
      const loss = tf.div(total, tokens) as Scalar;
      if (!grad) return { loss };
      // Rows without a label get a zero gradient: scatter the labelled rows' into [N, C].
      const selected = parts.length === 1 ? parts[0]! : tf.concat(parts, 0); // [M, C]
      const dh = tf.scatterND(tf.tensor2d(positions, [tokens, 1], 'int32'), selected, [n, c]); // [N, C]
      return { loss, dh };
    });
  if (!tf.engine().isTapeOn()) return { loss: chunks(false).loss, tokens };
  const fused = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    const { loss, dh } = chunks(true); // reads `hidden`, which is args[0]
    save([dh!]);
    return { value: loss, gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.mul(saved[0]!, dy)] };
  });
  return { loss: fused(hidden) as Scalar, tokens };
}
