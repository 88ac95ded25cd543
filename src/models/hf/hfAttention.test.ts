import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.ts';
import { attend, attentionBias, MASKED, repeatKv } from './hfAttention.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('attention mask', () => {
  it('combines the causal mask with right padding', () => {
    const mask = tf.tensor2d([[1, 1, 1], [1, 1, 0]], undefined, 'int32');
    const bias = attentionBias(3, 0, mask).arraySync() as number[][][][];
    const M = MASKED;
    expect(bias[0]![0]).toEqual([[0, M, M], [0, 0, M], [0, 0, 0]]);
    expect(bias[1]![0]).toEqual([[0, M, M], [0, 0, M], [0, 0, M]]);
    mask.dispose();
  });

  it('continues causally after past tokens', () => {
    const bias = attentionBias(2, 3).arraySync() as number[][][][];
    expect(bias[0]![0]).toEqual([[0, 0, 0, 0, MASKED], [0, 0, 0, 0, 0]]);
  });

  it('a sliding window of w lets each query see itself and the w - 1 keys before it, cached ones too', () => {
    const M = MASKED;
    const full = attentionBias(4, 0, undefined, 2).arraySync() as number[][][][];
    expect(full[0]![0]).toEqual([[0, M, M, M], [0, 0, M, M], [M, 0, 0, M], [M, M, 0, 0]]);
    // one new token at position 4 after 4 cached ones: keys 3 and 4 only
    const step = attentionBias(1, 4, tf.ones([1, 5], 'int32') as tf.Tensor2D, 2).arraySync() as number[][][][];
    expect(step[0]![0]).toEqual([[M, M, M, 0, 0]]);
  });

  it('scales by the given factor and soft-caps the scores before the mask (gemma2)', () => {
    const q = tf.tensor4d([[[[2, 0]]]]); // [1, 1, 1, 2]
    const k = tf.tensor4d([[[[1, 0], [0, 0]]]]); // [1, 1, 2, 2]
    const v = tf.tensor4d([[[[1, 0], [0, 1]]]]);
    const bias = tf.zeros([1, 1, 1, 2]);
    const weight = (opts: Parameters<typeof attend>[4]): number => attend(q, k, v, bias, opts).dataSync()[0]!;
    // scores [2 * scale, 0]; softmax weight of the first key = sigmoid(first score)
    const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
    expect(weight({})).toBeCloseTo(sigmoid(2 / Math.sqrt(2)), 6);
    expect(weight({ scale: 1 })).toBeCloseTo(sigmoid(2), 6);
    expect(weight({ scale: 1, softcap: 1 })).toBeCloseTo(sigmoid(Math.tanh(2)), 6);
    tf.dispose([q, k, v, bias]);
  });

  it('a fully masked row gives finite, uniform weights instead of NaN', () => {
    const q = tf.ones([1, 1, 1, 2]);
    const k = tf.randomNormal([1, 1, 2, 2], 0, 1, 'float32', 1);
    const v = tf.tensor4d([[[[1, 2], [3, 4]]]]);
    const bias = tf.fill([1, 1, 1, 2], MASKED);
    const out = attend(q, k, v, bias).dataSync();
    expect(Array.from(out)).toEqual([2, 3]);
    tf.dispose([q, k, v, bias]);
  });

  it('repeats each key/value head for its group of query heads', () => {
    const x = tf.tensor4d([1, 2], [1, 2, 1, 1]);
    expect(Array.from(repeatKv(x, 3).dataSync())).toEqual([1, 1, 1, 2, 2, 2]);
    x.dispose();
  });
});
