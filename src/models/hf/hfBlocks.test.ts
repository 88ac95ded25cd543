import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../data/rng.ts';
import { tf, type Tensor } from '../../tf.ts';
import { attend } from './hfAttention.ts';
import { geluNew, layerNorm, rmsNorm, siluGate } from './hfBlocks.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function random(shape: number[], seed: number, spread = 1): Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng() - 0.5) * 2 * spread), shape);
}

/** Max |a - b| over every value and every gradient of two formulations of one function. */
async function maxDiff(f: (...xs: Tensor[]) => Tensor, g: (...xs: Tensor[]) => Tensor, xs: Tensor[], dy: Tensor): Promise<number> {
  const run = (h: (...xs: Tensor[]) => Tensor) => tf.grads((...a: Tensor[]) => tf.sum(tf.mul(h(...a), dy)))(xs);
  const [ya, yb] = [f(...xs), g(...xs)];
  const [ga, gb] = [run(f), run(g)];
  const diffs = await Promise.all([[ya, yb], ...ga.map((a, i) => [a, gb[i]!])].map(([a, b]) => tf.max(tf.abs(tf.sub(a!, b!))).data()));
  return Math.max(...diffs.map((d) => d[0]!));
}

describe('the blocks\' one-op gradients equal the plain ops they replace', () => {
  it('rmsNorm: value and both gradients, for [N, C] and the q/k norms\' [B, H, T, D], with gemma\'s (1 + w)', async () => {
    for (const [shape, plusOne] of [[[6, 16], false], [[2, 3, 5, 8], true]] as const) {
      const c = shape[shape.length - 1]!;
      const plain = (x: Tensor, w: Tensor) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-6))), plusOne ? tf.add(w, 1) : w);
      const diff = await maxDiff((x, w) => rmsNorm(x!, w!, 1e-6, plusOne), plain, [random([...shape], 1, 3), random([c], 2)], random([...shape], 3));
      expect(diff).toBeLessThan(1e-5);
    }
  });

  it('layerNorm: value and the three gradients', async () => {
    const plain = (x: Tensor, w: Tensor, b: Tensor) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), w), b);
    };
    const diff = await maxDiff((x, w, b) => layerNorm(x!, w!, b!, 1e-5), plain, [random([6, 16], 11, 3), random([16], 12), random([16], 13)], random([6, 16], 14));
    expect(diff).toBeLessThan(1e-5);
  });

  it('norms with frozen weights (LoRA) skip their weights\' gradients: the same dx, and no sum over rows', async () => {
    const x = random([6, 16], 21, 3);
    const dy = random([6, 16], 22);
    const w = random([16], 23);
    const b = random([16], 24);
    const frozenW = tf.variable(w, false);
    const frozenB = tf.variable(b, false);
    const cases: [string, (v: Tensor, ww: Tensor, bb: Tensor) => Tensor][] = [
      ['rmsNorm', (v, ww) => rmsNorm(v, ww, 1e-6)],
      ['layerNorm', (v, ww, bb) => layerNorm(v, ww, bb, 1e-5)],
    ];
    for (const [name, norm] of cases) {
      const dxOf = (ww: Tensor, bb: Tensor) => tf.grad((v: Tensor) => tf.sum(tf.mul(norm(v, ww, bb), dy)))(x);
      // tf.profile hands back one shared object that the next profile overwrites: count at once.
      const sums = (p: Awaited<ReturnType<typeof tf.profile>>): number => p.kernels.filter((k) => k.name === 'Sum').length;
      const frozen = await tf.profile(() => dxOf(frozenW, frozenB));
      const [frozenDx, frozenSums] = [frozen.result as Tensor, sums(frozen)];
      const plain = await tf.profile(() => dxOf(w, b));
      const [plainDx, plainSums] = [plain.result as Tensor, sums(plain)];
      expect((await tf.max(tf.abs(tf.sub(frozenDx, plainDx))).data())[0], name).toBe(0);
      // One Sum is the objective's; plain weights add a sum over rows each, frozen ones none (the norms' own means are Mean).
      expect(plainSums, name).toBe(name === 'layerNorm' ? 3 : 2);
      expect(frozenSums, name).toBe(1);
    }
    tf.dispose([frozenW, frozenB]);
  });

  it('geluNew: value and gradient, inputs from -6 to 6', async () => {
    const plain = (x: Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))), 1));
    const diff = await maxDiff((x) => geluNew(x!), plain, [random([10, 24], 15, 6)], random([10, 24], 16));
    expect(diff).toBeLessThan(1e-5);
  });

  it('siluGate: silu(gate) * up and both gradients, gates from -8 to 8', async () => {
    const plain = (g: Tensor, u: Tensor) => tf.mul(tf.mul(g, tf.sigmoid(g)), u);
    const diff = await maxDiff((g, u) => siluGate(g!, u!), plain, [random([12, 20], 4, 8), random([12, 20], 5)], random([12, 20], 6));
    expect(diff).toBeLessThan(1e-5);
  });

  it('attention\'s masked softmax: the output and the q, k, v gradients under a causal bias with a masked key', async () => {
    const [b, h, t, d] = [2, 4, 6, 8];
    const causal = tf.tensor(Float32Array.from({ length: t * t }, (_, i) => (i % t > Math.floor(i / t) ? -1e9 : 0)), [1, 1, t, t]);
    const pad = tf.tensor(Float32Array.from({ length: b * t }, (_, i) => (i === t + 2 ? -1e9 : 0)), [b, 1, 1, t]);
    const bias = tf.add(causal, pad); // [B, 1, T, T]
    const plain = (q: Tensor, k: Tensor, v: Tensor) => {
      const probs = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d)), bias), -1);
      return tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [b * t, h * d]);
    };
    const qkv = [random([b, h, t, d], 7), random([b, h, t, d], 8), random([b, h, t, d], 9)];
    const diff = await maxDiff((q, k, v) => attend(q!, k!, v!, bias), plain, qkv, random([b * t, h * d], 10));
    expect(diff).toBeLessThan(1e-5);
  });
});
