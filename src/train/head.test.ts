import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/rng.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf } from '../tf.ts';
import { AdamW } from './adamw.ts';
import { createHead, disposeHead } from './head.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('head and optimizer lifetimes', () => {
  it('a head is exactly two tensors, and an optimizer adds two moments per variable, all released on dispose', async () => {
    await expectNoTensorLeak(async () => {
      const head = await expectNoTensorLeak(() => createHead(8, 3, createRng(1)), { keeps: 2 });
      const opt = await expectNoTensorLeak(
        () => new AdamW([{ variable: head.kernel, decay: true }, { variable: head.bias, decay: false }], { learningRate: 0.1, weightDecay: 0 }),
        { keeps: 4 },
      );
      opt.dispose();
      disposeHead(head);
    });
  });

  it('is seeded: same seed, same kernel; Glorot-uniform bounds', () => {
    const a = createHead(8, 3, createRng(5));
    const b = createHead(8, 3, createRng(5));
    const values = Array.from(a.kernel.dataSync());
    expect(Array.from(b.kernel.dataSync())).toEqual(values);
    const limit = Math.sqrt(6 / 11);
    expect(values.every((v) => Math.abs(v) <= limit)).toBe(true);
    expect(Array.from(a.bias.dataSync())).toEqual([0, 0, 0]);
    disposeHead(a);
    disposeHead(b);
  });
});
