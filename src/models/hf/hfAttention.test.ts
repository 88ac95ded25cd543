import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.ts';
import { attend, attentionBias, MASKED } from './hfAttention.ts';

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

  it("grouped-query heads share their kv head as HF's repeat_kv does, values and gradients, without a repeated copy", async () => {
    // 6 query heads on 2 kv heads (groups of 3), 2 new tokens after 3 cached ones, the second row padded.
    const [b, h, kvHeads, t, tk, d] = [2, 6, 2, 2, 5, 4];
    const q = tf.randomNormal([b, h, t, d], 0, 1, 'float32', 1);
    const k = tf.randomNormal([b, kvHeads, tk, d], 0, 1, 'float32', 2);
    const v = tf.randomNormal([b, kvHeads, tk, d], 0, 1, 'float32', 3);
    const w = tf.randomNormal([b * t, h * d], 0, 1, 'float32', 4);
    const mask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]], undefined, 'int32');
    const bias = attentionBias(t, tk - t, mask);
    // The reference: each kv head copied for its group (query head i uses kv head floor(i / 3)), then plain attention.
    const heads = tf.tensor1d([0, 0, 0, 1, 1, 1], 'int32');
    const reference = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor): tf.Tensor => {
      const scores = tf.add(tf.mul(tf.matMul(qq, tf.gather(kk, heads, 1), false, true), 1 / Math.sqrt(d)), bias);
      const out = tf.matMul(tf.softmax(scores, -1), tf.gather(vv, heads, 1)); // [B, H, T, D]
      return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [b * t, h * d]);
    };
    const loss = (f: typeof reference) => (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => tf.sum(tf.mul(f(qq, kk, vv), w));
    const profile = await tf.profile(() => tf.grads(loss((qq, kk, vv) => attend(qq, kk, vv, bias)))([q, k, v]));
    const ours = profile.result as tf.Tensor[];
    const theirs = tf.grads(loss(reference))([q, k, v]);
    const maxDiff = (x: tf.Tensor, y: tf.Tensor): number => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]!;
    expect(maxDiff(attend(q, k, v, bias), reference(q, k, v))).toBeLessThan(1e-5);
    for (let i = 0; i < 3; i++) expect(maxDiff(ours[i]!, theirs[i]!)).toBeLessThan(1e-4);
    // No kernel made keys or values repeated per query head: [B, H, Tk, D].
    const repeated = profile.kernels.filter((kr) => kr.outputShapes.some((s) => s.join() === [b, h, tk, d].join()));
    expect(repeated.map((kr) => kr.name)).toEqual([]);
    tf.dispose([q, k, v, w, mask, bias, heads, ...ours, ...theirs]);
  });
});
