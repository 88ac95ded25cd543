import { beforeAll, describe, expect, it } from 'vitest';
import { lmBatch } from '../data/text/lmBatch.ts';
import { createRng } from '../data/rng.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf } from '../tf.ts';
import { causalLmLoss, IGNORE_INDEX } from './causalLmLoss.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Plain-JS reference: mean over non-ignored targets of -log softmax(row)[label], in float64. */
function referenceLoss(logits: number[][][], labels: number[][]): { loss: number; tokens: number } {
  let sum = 0;
  let tokens = 0;
  logits.forEach((rows, b) =>
    rows.forEach((row, t) => {
      const label = labels[b]![t]!;
      if (label === IGNORE_INDEX) return;
      const max = Math.max(...row);
      const logSumExp = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      sum += logSumExp - row[label]!;
      tokens++;
    }),
  );
  return { loss: sum / tokens, tokens };
}

describe('causalLmLoss', () => {
  it('matches a hand computation', () => {
    // One position, vocab 2, logits [0, ln 3]: softmax = [1/4, 3/4]; target 1 -> -ln(3/4).
    // A second position is ignored and must not count.
    const logits = tf.tensor3d([[[0, Math.log(3)], [5, -5]]]);
    const { loss, tokens } = causalLmLoss(logits, Int32Array.from([1, IGNORE_INDEX]));
    expect(tokens).toBe(1);
    expect(loss.dataSync()[0]).toBeCloseTo(-Math.log(3 / 4), 6);
    // Uniform logits over V give ln V whatever the targets.
    const uniform = causalLmLoss(tf.zeros([2, 3, 7]), Int32Array.from([0, 1, 2, 3, 4, 5]));
    expect(uniform.tokens).toBe(6);
    expect(uniform.loss.dataSync()[0]).toBeCloseTo(Math.log(7), 6);
  });

  it('matches a plain-JS cross-entropy on random logits, with ignored positions and an all-ignored row', () => {
    const rng = createRng(7);
    const [B, T, V] = [3, 5, 11];
    const logits = Array.from({ length: B }, () => Array.from({ length: T }, () => Array.from({ length: V }, () => (rng() - 0.5) * 8)));
    const labels = Array.from({ length: B }, (_, b) =>
      Array.from({ length: T }, () => (b === 1 || rng() < 0.3 ? IGNORE_INDEX : Math.floor(rng() * V))),
    );
    const expected = referenceLoss(logits, labels);
    const fromArray = causalLmLoss(tf.tensor3d(logits), Int32Array.from(labels.flat()));
    expect(fromArray.tokens).toBe(expected.tokens);
    expect(fromArray.loss.dataSync()[0]).toBeCloseTo(expected.loss, 5);
    const fromTensor = causalLmLoss(tf.tensor3d(logits), tf.tensor2d(labels, [B, T], 'int32'));
    expect(fromTensor.loss.dataSync()[0]).toBeCloseTo(expected.loss, 5);
  });

  it('is stable for huge logits (logSoftmax, no overflow)', () => {
    const { loss } = causalLmLoss(tf.tensor3d([[[1e4, 0, -1e4]]]), Int32Array.from([1]));
    expect(loss.dataSync()[0]).toBeCloseTo(1e4, 0);
  });

  it('scores labels as lmBatch shifts them: logits at t against ids[t + 1]', () => {
    // A model that puts all mass on the true next token has zero loss on lmBatch's labels.
    const ids = Int32Array.from([3, 1, 4, 1, 5]);
    const batch = lmBatch([{ ids, mask: Uint8Array.from([0, 1, 1, 1, 1]) }], [0], 8, 0);
    const V = 6;
    const perfect = Array.from({ length: batch.T }, (_, t) => Array.from({ length: V }, (_, v) => (t + 1 < ids.length && v === ids[t + 1] ? 50 : 0)));
    const { loss, tokens } = causalLmLoss(tf.tensor3d([perfect]), batch.labels);
    expect(tokens).toBe(4); // positions 0..3 predict 1, 4, 1, 5; the last has no next token
    expect(loss.dataSync()[0]).toBeLessThan(1e-10 + 1e-6);
  });

  it('gives 0 loss and 0 tokens when nothing is trained, with zero (not missing) gradients', () => {
    const w = tf.variable(tf.ones([2, 3, 4]));
    const { value, grads } = tf.variableGrads(() => causalLmLoss(w.mul(2), Int32Array.from([-100, -100, -100, -100, -100, -100])).loss, [w]);
    expect(value.dataSync()[0]).toBe(0);
    expect(Array.from(grads[w.name]!.dataSync()).every((g) => g === 0)).toBe(true);
    expect(causalLmLoss(tf.zeros([1, 2, 3]), Int32Array.from([-100, -100])).tokens).toBe(0);
  });

  it('passes gradients to the logits: softmax - onehot, divided by the token count', () => {
    const V = 4;
    const raw = [
      [
        [0.1, 0.2, -0.3, 0.5],
        [1, -1, 0, 0.5],
        [0, 0, 0, 0],
      ],
    ];
    const logits = tf.variable(tf.tensor3d(raw));
    const labels = Int32Array.from([2, IGNORE_INDEX, 0]);
    const { grads } = tf.variableGrads(() => causalLmLoss(logits, labels).loss, [logits]);
    const g = grads[logits.name]!.arraySync() as number[][][];
    raw[0]!.forEach((row, t) => {
      const max = Math.max(...row);
      const exps = row.map((x) => Math.exp(x - max));
      const z = exps.reduce((a, b) => a + b, 0);
      for (let v = 0; v < V; v++) {
        const expected = labels[t] === IGNORE_INDEX ? 0 : (exps[v]! / z - (v === labels[t] ? 1 : 0)) / 2;
        expect(g[0]![t]![v]).toBeCloseTo(expected, 6);
      }
    });
  });

  it('rejects labels outside the vocabulary and mismatched shapes', () => {
    expect(() => causalLmLoss(tf.zeros([1, 2, 3]), Int32Array.from([3, 0]))).toThrow(/outside the vocabulary/);
    expect(() => causalLmLoss(tf.zeros([1, 2, 3]), Int32Array.from([0]))).toThrow(/1 labels/);
    expect(() => causalLmLoss(tf.zeros([2, 3]), Int32Array.from([0]))).toThrow(/expects logits/);
  });

  it('leaks no tensors beyond the returned loss', async () => {
    const logits = tf.randomNormal([2, 3, 5]);
    const { loss } = await expectNoTensorLeak(() => causalLmLoss(logits, Int32Array.from([0, 1, 2, 3, 4, -100])), { keeps: 1 });
    tf.dispose([loss, logits]);
  });
});
