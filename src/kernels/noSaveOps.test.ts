import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/rng.ts';
import { peakBufferBytes } from '../testing/peakBufferBytes.ts';
import { tf, type Tensor } from '../tf.ts';
import { addNoSave, view } from './noSaveOps.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function random(shape: number[], seed: number, spread = 1): Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng() - 0.5) * 2 * spread), shape);
}

/** Values and gradients of f and g on xs (dy weights the output), as flat arrays. */
function valuesAndGrads(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], dy: Tensor): number[][] {
  return tf.tidy(() => [f(...xs), ...tf.grads((...a: Tensor[]) => tf.sum(tf.mul(f(...a), dy)))(xs)].map((t) => Array.from(t.dataSync())));
}

/**
 * Peak bytes of the gradient of 16 blocks h <- combine(h, h·W), each in a tf.tidy as recomputeBlock.ts
 * runs them: the product's output [64, 32] is kept by nobody but `combine`.
 */
async function chainPeak(combine: (h: Tensor, y: Tensor) => Tensor): Promise<number> {
  const [x, w] = [random([64, 32], 14), random([32, 32], 15, 0.1)];
  const chain = (h: Tensor): Tensor => {
    for (let i = 0; i < 16; i++) h = tf.tidy(() => combine(h, tf.matMul(h, w)));
    return tf.sum(h);
  };
  const peak = await peakBufferBytes(() => tf.dispose(tf.grad(chain)(x)));
  tf.dispose([x, w]);
  return peak;
}
const BLOCK_OUTPUT = 64 * 32 * 4;

describe('ops whose gradients keep nothing', () => {
  it('addNoSave equals tf.add, broadcasting included, in value and both gradients', () => {
    for (const [a, b] of [[[6, 16], [6, 16]], [[6, 16], [16]], [[2, 1, 5], [3, 1]]]) {
      const xs = [random(a!, 1), random(b!, 2)];
      const out = tf.add(xs[0]!, xs[1]!);
      const dy = random(out.shape, 3);
      expect(valuesAndGrads(addNoSave, xs, dy)).toEqual(valuesAndGrads(tf.add, xs, dy));
      tf.dispose([...xs, out, dy]);
    }
  });

  it('view equals tf.reshape in value and gradient', () => {
    const x = random([4, 6], 4);
    const dy = random([2, 3, 4], 5);
    expect(valuesAndGrads((t) => view(t, [2, 3, 4]), [x], dy)).toEqual(valuesAndGrads((t) => tf.reshape(t, [2, 3, 4]), [x], dy));
    tf.dispose([x, dy]);
  });

  it('keep no block output alive for the backward pass, where tf.add and tf.reshape keep every one', async () => {
    const [add, ours] = [await chainPeak(tf.add), await chainPeak(addNoSave)];
    expect(add - ours).toBeGreaterThanOrEqual(14 * BLOCK_OUTPUT);
    // The product's output reshaped and back (as between heads and tokens), then added.
    const through = (reshape: (t: Tensor, s: number[]) => Tensor) => (h: Tensor, y: Tensor) => addNoSave(h, reshape(reshape(y, [32, 64]), [64, 32]));
    const [reshaped, viewed] = [await chainPeak(through(tf.reshape)), await chainPeak(through(view))];
    expect(reshaped - viewed).toBeGreaterThanOrEqual(14 * BLOCK_OUTPUT);
  });
});
