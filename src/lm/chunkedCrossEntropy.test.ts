import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../data/rng.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import type { LmHead } from '../models/hf/causalLmLogits.ts';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../tf.ts';
import { causalLmLoss, IGNORE_INDEX } from '../train/causalLmLoss.ts';
import { chunkTokens } from '../models/hf/hfMemory.ts';
import { chunkedCausalLmLoss } from './chunkedCrossEntropy.ts';

const random = (rng: () => number, n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale);

/** The plain logits [B, T, V]: h·Wᵀ, soft-capped as gemma2's cap·tanh(z/cap). */
function plainLogits(h: Tensor, head: Tensor2D, b: number, t: number, softcap: number | null): Tensor {
  const z = tf.matMul(h, head, false, true); // [B*T, V]
  return tf.reshape(softcap ? tf.mul(tf.tanh(tf.div(z, softcap)), softcap) : z, [b, t, head.shape[0]]);
}

/** Loss and d loss / d hidden, chunked and through the plain loss on the full logits; `split`: the head in that many row chunks. */
function both(hidden: Tensor2D, head: Tensor2D, labels: Int32Array, b: number, t: number, chunk?: number, { split = 1, softcap = null as number | null } = {}) {
  const h = tf.variable(hidden);
  const plain = tf.variableGrads(() => causalLmLoss(plainLogits(h, head, b, t, softcap), labels).loss as Scalar, [h]);
  const chunks = split === 1 ? [head] : tf.split(head, split, 0);
  const lmHead: LmHead = { chunks, softcap };
  const chunked = tf.variableGrads(() => chunkedCausalLmLoss(h as unknown as Tensor2D, lmHead, labels, chunk).loss, [h]);
  if (split > 1) tf.dispose(chunks);
  const out = {
    plain: { loss: plain.value.dataSync()[0]!, grad: Float32Array.from(plain.grads[h.name]!.dataSync()) },
    chunked: { loss: chunked.value.dataSync()[0]!, grad: Float32Array.from(chunked.grads[h.name]!.dataSync()) },
  };
  tf.dispose([plain.value, chunked.value, ...Object.values(plain.grads), ...Object.values(chunked.grads), h]);
  return out;
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe.each(['cpu', 'wasm'])('chunkedCausalLmLoss on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  const [b, t, c, v] = [3, 7, 16, 97];
  const rng = createRng(11);
  const hiddenValues = random(rng, b * t * c, 2);
  const headValues = random(rng, v * c, 0.5);
  // A third of the positions ignored (prompt, padding, the last position), as lmBatch writes them.
  const labels = Int32Array.from({ length: b * t }, (_, i) => (i % 3 === 2 ? IGNORE_INDEX : Math.floor(rng() * v)));

  it.each([undefined, 1, 4, 13, 1000])('matches the unchunked loss and its gradient (chunk %s)', async (chunk) => {
    const hidden = tf.tensor2d(hiddenValues, [b * t, c]);
    const head = tf.tensor2d(headValues, [v, c]);
    const r = await expectNoTensorLeak(() => both(hidden, head, labels, b, t, chunk));
    // Same formula in another order: float32 rounding only.
    expect(Math.abs(r.chunked.loss - r.plain.loss)).toBeLessThan(1e-5);
    expect(r.plain.loss).toBeGreaterThan(1); // random logits: a real loss, not 0
    expect(maxDiff(r.chunked.grad, r.plain.grad)).toBeLessThan(1e-6);
    // Ignored positions get exactly zero gradient; counted ones do not.
    for (let i = 0; i < b * t; i++) {
      const row = r.chunked.grad.subarray(i * c, (i + 1) * c);
      if (labels[i] === IGNORE_INDEX) expect(row.every((x) => x === 0)).toBe(true);
      else expect(row.some((x) => x !== 0)).toBe(true);
    }
    tf.dispose([hidden, head]);
  });

  // A vocabulary table held in row chunks (rowChunks.ts, big vocabularies on WebGPU) and gemma2's
  // final soft-capping: the same loss and gradient as the plain logits made the same way.
  it.each([
    [3, null],
    [1, 2],
    [3, 2],
  ])('matches the unchunked loss with the head in %s row chunks and soft-capping %s', async (split, softcap) => {
    const hidden = tf.tensor2d(hiddenValues, [b * t, c]);
    const head = tf.tensor2d(headValues.subarray(0, 96 * c), [96, c]); // 96 rows: 3 chunks of 32
    const inVocab = Int32Array.from(labels, (y) => (y === IGNORE_INDEX ? y : y % 96));
    const r = await expectNoTensorLeak(() => both(hidden, head, inVocab, b, t, 4, { split, softcap }));
    expect(Math.abs(r.chunked.loss - r.plain.loss)).toBeLessThan(1e-5);
    expect(r.plain.loss).toBeGreaterThan(1);
    expect(maxDiff(r.chunked.grad, r.plain.grad)).toBeLessThan(1e-6);
    if (softcap) {
      // The capping matters at this scale: the uncapped loss differs.
      const uncapped = both(hidden, head, inVocab, b, t, 4, { split });
      expect(Math.abs(uncapped.plain.loss - r.plain.loss)).toBeGreaterThan(1e-2);
    }
    tf.dispose([hidden, head]);
  });

  // Logits spread over hundreds of nats (a confident model scoring unlikely labels): the softmax of a
  // label underflows to 0 in float32, but the log-sum-exp taken from softmax at the max stays exact.
  it('stays exact when the labels are far below the largest logit', async () => {
    const hidden = tf.tensor2d(hiddenValues.map((x) => x * 60), [b * t, c]);
    const head = tf.tensor2d(headValues, [v, c]);
    const r = await expectNoTensorLeak(() => both(hidden, head, labels, b, t, 5));
    expect(r.plain.loss).toBeGreaterThan(100); // -log p far beyond float32's smallest probability
    expect(Math.abs(r.chunked.loss - r.plain.loss) / r.plain.loss).toBeLessThan(1e-6);
    expect(maxDiff(r.chunked.grad, r.plain.grad)).toBeLessThan(1e-6);
    tf.dispose([hidden, head]);
  });

  it('without a gradient tape gives the loss alone, and 0 (zero gradients) with no target', async () => {
    const hidden = tf.tensor2d(hiddenValues, [b * t, c]);
    const head = tf.tensor2d(headValues, [v, c]);
    const plain = causalLmLoss(tf.reshape(tf.matMul(hidden, head, false, true), [b, t, v]), labels);
    const chunked = await expectNoTensorLeak(() => chunkedCausalLmLoss(hidden, { chunks: [head], softcap: null }, labels, 5), { keeps: 1 });
    expect(chunked.tokens).toBe(plain.tokens);
    expect(Math.abs(chunked.loss.dataSync()[0]! - plain.loss.dataSync()[0]!)).toBeLessThan(1e-5);
    const none = both(hidden, head, new Int32Array(b * t).fill(IGNORE_INDEX), b, t);
    expect(Math.abs(none.chunked.loss)).toBe(0);
    expect(none.chunked.grad.every((x) => x === 0)).toBe(true);
    tf.dispose([hidden, head, chunked.loss, plain.loss]);
  });

  it('refuses a trainable head and labels outside the vocabulary', () => {
    const hidden = tf.tensor2d(hiddenValues, [b * t, c]);
    const head = tf.variable(tf.tensor2d(headValues, [v, c]), true) as unknown as Tensor2D;
    expect(() => chunkedCausalLmLoss(hidden, { chunks: [head], softcap: null }, labels)).toThrow(/lm_head is trainable/);
    const frozen = tf.tensor2d(headValues, [v, c]);
    expect(() => chunkedCausalLmLoss(hidden, { chunks: [frozen], softcap: null }, Int32Array.from(labels, () => v))).toThrow(/outside the vocabulary \[0, 97\)/);
    tf.dispose([hidden, head, frozen]);
  });
});

describe('chunkTokens', () => {
  it('keeps a logits chunk at 32 MiB: 170 rows at SmolLM2 vocabulary, capped at 1024 for small ones', () => {
    expect(chunkTokens(49152)).toBe(170);
    expect(chunkTokens(300)).toBe(1024);
    expect(chunkTokens(10_000_000)).toBe(8);
  });
});
