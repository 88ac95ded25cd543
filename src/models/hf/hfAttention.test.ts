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
});
