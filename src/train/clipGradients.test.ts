import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf } from '../tf.ts';
import { clipByGlobalNorm } from './clipGradients.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('clipByGlobalNorm', () => {
  it('scales every gradient by maxNorm / (norm + 1e-6) when the norm exceeds maxNorm', async () => {
    const a = tf.tensor1d([3, 0]);
    const b = tf.tensor2d([[0, 4]]);
    // norm = sqrt(3^2 + 4^2) = 5; scale = 1 / (5 + 1e-6) ~= 0.2 -> a = [0.6, 0], b = [[0, 0.8]]
    const out = clipByGlobalNorm({ a, b }, 1);
    expect((await out.norm.data())[0]).toBeCloseTo(5, 5);
    expect(out.norm.shape).toEqual([]);
    const scale = 1 / (5 + 1e-6);
    expect(Array.from(await out.grads.a!.data())).toEqual([expect.closeTo(3 * scale, 6), 0]);
    expect(out.grads.b!.shape).toEqual([1, 2]);
    expect(Array.from(await out.grads.b!.data())).toEqual([0, expect.closeTo(4 * scale, 6)]);
    tf.dispose([a, b, out.norm, out.grads.a!, out.grads.b!]);
  });

  it('leaves gradients unchanged when the norm is within maxNorm', async () => {
    const g = tf.tensor1d([0.3, -0.4]);
    // norm = 0.5 < 1: scale = min(1, 1/0.500001) = 1
    const out = clipByGlobalNorm({ g }, 1);
    expect((await out.norm.data())[0]).toBeCloseTo(0.5, 6);
    expect(Array.from(await out.grads.g!.data())).toEqual([expect.closeTo(0.3, 7), expect.closeTo(-0.4, 7)]);
    tf.dispose([g, out.norm, out.grads.g!]);
  });

  it('returns a zero norm for no gradients', async () => {
    const out = clipByGlobalNorm({}, 1);
    expect(Object.keys(out.grads)).toEqual([]);
    expect((await out.norm.data())[0]).toBe(0);
    out.norm.dispose();
  });

  it('leaks no tensors inside tf.tidy and keeps its inputs alive', async () => {
    const g = tf.tensor1d([30, 40]);
    await expectNoTensorLeak(async () => {
      const norm = await expectNoTensorLeak(
        () =>
          tf.tidy(() => {
            const out = clipByGlobalNorm({ g }, 2);
            // 50 -> scaled to norm ~2: [1.2, 1.6]
            expect(Array.from(out.grads.g!.dataSync())).toEqual([expect.closeTo(1.2, 5), expect.closeTo(1.6, 5)]);
            return out.norm;
          }),
        { keeps: 1 }, // only the kept norm
      );
      expect(norm.dataSync()[0]).toBeCloseTo(50, 4);
      norm.dispose();
    });
    expect(g.isDisposed).toBe(false);
    g.dispose();
  });

  it('creates only its outputs outside a tidy', async () => {
    const g = tf.tensor1d([1, 2]);
    const out = await expectNoTensorLeak(() => clipByGlobalNorm({ g }, 1), { keeps: 2 }); // clipped g and the norm
    tf.dispose([out.norm, out.grads.g!, g]);
  });

  it('rejects a non-positive maxNorm', () => {
    expect(() => clipByGlobalNorm({}, 0)).toThrow(RangeError);
    expect(() => clipByGlobalNorm({}, Number.NaN)).toThrow(RangeError);
  });
});
