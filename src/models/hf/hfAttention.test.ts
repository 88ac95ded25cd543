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

  it("repeatKv's gradient sums each group's copies, through a Sum (no per-copy slicing, slow on WASM)", async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 1, 2]); // [B, kvHeads, T, D]
    const w = tf.tensor4d([1, 10, 100, 1000, 2, 20, 200, 2000], [1, 4, 1, 2]); // [B, kvHeads * 2, T, D]
    const profile = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(repeatKv(v, 2), w)))(x));
    // Head 0 is copied to query heads 0 and 1, head 1 to 2 and 3: d/dx sums their weights.
    expect(Array.from((profile.result as tf.Tensor).dataSync())).toEqual([101, 1010, 202, 2020]);
    expect(profile.kernelNames).not.toContain('Unpack');
    expect(profile.kernelNames).not.toContain('SplitV');
    tf.dispose([x, w, profile.result as tf.Tensor]);
  });
});
