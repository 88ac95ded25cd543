import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/rng.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf, type LayersModel } from '../tf.ts';
import { createLoraAdapters, disposeLoraAdapters } from './loraAdapter.ts';
import { mergedModel, mergedWeights } from './merge.ts';
import type { TrainPlan } from './plan.ts';
import { runModel } from './runModel.ts';
import { branchedNet, maxAbsDiff, seededInput, sequentialConvNet } from './testModels.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function checkMerge(model: LayersModel, plan: TrainPlan, inputShape: number[]): Promise<void> {
  const ads = createLoraAdapters(model, plan, createRng(21));
  let s = 30;
  for (const ad of ads.values()) ad.B.assign(tf.randomNormal(ad.B.shape, 0, 0.5, 'float32', s++));
  const x = seededInput(inputShape, 5);
  const adapted = runModel(model, x, { plan, adapters: ads });
  const base = model.predict(x) as tf.Tensor;
  expect(maxAbsDiff(adapted, base)).toBeGreaterThan(1e-2); // the adapters do something
  await expectNoTensorLeak(async () => {
    const merged = await mergedModel(model, plan, ads);
    const y = merged.predict(x) as tf.Tensor;
    expect(maxAbsDiff(adapted, y)).toBeLessThan(1e-5);
    y.dispose();
    merged.dispose();
  });
  // the original model is untouched
  const base2 = model.predict(x) as tf.Tensor;
  expect(maxAbsDiff(base, base2)).toBe(0);
  tf.dispose([x, adapted, base, base2]);
  disposeLoraAdapters(ads);
}

describe('merging LoRA into the kernels', () => {
  it('Dense: W + scale * A.B in [in, out]', async () => {
    const model = branchedNet();
    const plan: TrainPlan = { left: { kind: 'lora', r: 2, alpha: 6 } };
    const ads = createLoraAdapters(model, plan, createRng(4));
    const ad = ads.get('left')!;
    ad.B.assign(tf.randomNormal([2, 4], 0, 1, 'float32', 1));
    const m = (await mergedWeights(model, plan, ads)).get('left')!;
    expect(m.shape).toEqual([6, 4]);
    const W = model.getLayer('left').getWeights()[0]!.arraySync() as number[][];
    const A = ad.A.arraySync() as number[][];
    const B = ad.B.arraySync() as number[][];
    for (let i = 0; i < 6; i++) {
      for (let o = 0; o < 4; o++) {
        const want = W[i]![o]! + 3 * (A[i]![0]! * B[0]![o]! + A[i]![1]! * B[1]![o]!);
        expect(m.values[i * 4 + o]).toBeCloseTo(want, 5);
      }
    }
    disposeLoraAdapters(ads);
    model.dispose();
  });

  it('Conv2D: W[y,x,i,o] + scale * sum_r A[y,x,i,r] B[r,o]', async () => {
    const model = sequentialConvNet();
    const plan: TrainPlan = { conv2: { kind: 'lora', r: 2, alpha: 2, rslora: true } };
    const ads = createLoraAdapters(model, plan, createRng(4));
    const ad = ads.get('conv2')!;
    ad.B.assign(tf.randomNormal([2, 5], 0, 1, 'float32', 1));
    const m = (await mergedWeights(model, plan, ads)).get('conv2')!;
    expect(m.shape).toEqual([3, 2, 4, 5]);
    const W = model.getLayer('conv2').getWeights()[0]!.arraySync() as number[][][][];
    const A = ad.A.arraySync() as number[][][][];
    const B = ad.B.arraySync() as number[][];
    const scale = 2 / Math.sqrt(2);
    let k = 0;
    for (let y = 0; y < 3; y++) for (let x = 0; x < 2; x++) for (let i = 0; i < 4; i++) for (let o = 0; o < 5; o++) {
      const a = A[y]![x]![i]!;
      const want = W[y]![x]![i]![o]! + scale * (a[0]! * B[0]![o]! + a[1]! * B[1]![o]!);
      expect(m.values[k++]).toBeCloseTo(want, 5);
    }
    disposeLoraAdapters(ads);
    model.dispose();
  });

  it('the merged Sequential Conv2D + Dense model predicts what the adapted model computes (1e-5)', async () => {
    const model = sequentialConvNet();
    await checkMerge(model, { conv1: { kind: 'lora', r: 2, alpha: 4 }, conv2: { kind: 'lora', r: 3, alpha: 1.5, rslora: true }, dense1: { kind: 'lora', r: 2, alpha: 2 }, head: { kind: 'lora', r: 1, alpha: 1 } }, [4, 6, 6, 2]);
    model.dispose();
  });

  it('the merged functional model with a branch predicts what the adapted model computes (1e-5)', async () => {
    const model = branchedNet();
    await checkMerge(model, { trunk: { kind: 'lora', r: 2, alpha: 4 }, right: { kind: 'lora', r: 4, alpha: 4 }, out: { kind: 'full' } }, [5, 8]);
    model.dispose();
  });
});
