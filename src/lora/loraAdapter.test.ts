import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/rng.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf, type LayersModel } from '../tf.ts';
import { createLoraAdapters, disposeLoraAdapters } from './loraAdapter.ts';
import { sequentialConvNet } from './testModels.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LoRA adapters', () => {
  let model: LayersModel;
  beforeAll(() => {
    model = sequentialConvNet();
  });
  afterAll(() => model.dispose());

  it('have TF layouts, PEFT initialisation (A kaiming-uniform a=sqrt(5), B zero) and PEFT scales', async () => {
    // Nothing outlives the adapters; creating them makes exactly A and B of two adapters.
    await expectNoTensorLeak(async () => {
      const ads = await expectNoTensorLeak(() => createLoraAdapters(model, {
        conv2: { kind: 'lora', r: 3, alpha: 6 },
        dense1: { kind: 'lora', r: 4, alpha: 8, rslora: true, dropout: 0.2 },
        head: { kind: 'full' },
      }, createRng(1)), { keeps: 4 });
      expect([...ads.keys()]).toEqual(['conv2', 'dense1']);
      const conv = ads.get('conv2')!;
      const dense = ads.get('dense1')!;
      expect(conv).toMatchObject({ kind: 'conv2d', r: 3, alpha: 6, rslora: false, dropout: 0, scale: 2 });
      expect(dense).toMatchObject({ kind: 'dense', r: 4, alpha: 8, rslora: true, dropout: 0.2, scale: 4 });
      expect(conv.A.shape).toEqual([3, 2, 4, 3]); // [kh, kw, in, r]
      expect(conv.B.shape).toEqual([3, 5]); // [r, out]
      expect(dense.A.shape).toEqual([30, 4]); // [in, r]
      expect(dense.B.shape).toEqual([4, 6]);
      const bound = (fanIn: number) => 1 / Math.sqrt(fanIn);
      const convA = Array.from(conv.A.dataSync());
      const denseA = Array.from(dense.A.dataSync());
      expect(Math.max(...convA.map(Math.abs))).toBeLessThanOrEqual(bound(4 * 3 * 2));
      expect(Math.max(...convA.map(Math.abs))).toBeGreaterThan(0.8 * bound(4 * 3 * 2)); // really that wide
      expect(Math.max(...denseA.map(Math.abs))).toBeLessThanOrEqual(bound(30));
      expect(Math.max(...denseA.map(Math.abs))).toBeGreaterThan(0.8 * bound(30));
      expect(Array.from(conv.B.dataSync()).every((v) => v === 0)).toBe(true);
      expect(Array.from(dense.B.dataSync()).every((v) => v === 0)).toBe(true);
      expect(conv.A.trainable && conv.B.trainable).toBe(true);
      disposeLoraAdapters(ads);
    });
  });

  it('is seeded: same seed and plan, same A', () => {
    const plan = { dense1: { kind: 'lora' as const, r: 2, alpha: 2 } };
    const a = createLoraAdapters(model, plan, createRng(42));
    const b = createLoraAdapters(model, plan, createRng(42));
    const c = createLoraAdapters(model, plan, createRng(43));
    expect(Array.from(a.get('dense1')!.A.dataSync())).toEqual(Array.from(b.get('dense1')!.A.dataSync()));
    expect(Array.from(a.get('dense1')!.A.dataSync())).not.toEqual(Array.from(c.get('dense1')!.A.dataSync()));
    expect(a.get('dense1')!.A.name).not.toBe(b.get('dense1')!.A.name);
    [a, b, c].forEach(disposeLoraAdapters);
  });

  it('validates the plan first', () => {
    expect(() => createLoraAdapters(model, { bn: { kind: 'lora', r: 1, alpha: 1 } }, createRng(1))).toThrow(/layer "bn" is a BatchNormalization/);
  });
});
