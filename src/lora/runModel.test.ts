import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/rng.ts';
import { expectFlatTensorCounts } from '../testing/expectFlatTensorCounts.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf, type LayersModel } from '../tf.ts';
import { createLoraAdapters, disposeLoraAdapters, type LoraAdapters } from './loraAdapter.ts';
import type { TrainPlan } from './plan.ts';
import { runModel, runModelOutputs } from './runModel.ts';
import { branchedNet, maxAbsDiff, sameValues, seededInput, sequentialConvNet } from './testModels.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('runModel on a Sequential Conv2D + Dense model', () => {
  let model: LayersModel;
  let adapters: LoraAdapters;
  const plan: TrainPlan = {
    conv1: { kind: 'lora', r: 2, alpha: 4 },
    conv2: { kind: 'lora', r: 3, alpha: 3, dropout: 0.5 },
    dense1: { kind: 'lora', r: 2, alpha: 8, rslora: true },
    head: { kind: 'full' },
  };
  beforeAll(() => {
    model = sequentialConvNet();
    adapters = createLoraAdapters(model, plan, createRng(1));
  });
  afterAll(() => {
    disposeLoraAdapters(adapters);
    model.dispose();
  });

  it('without a plan equals predict exactly', () => {
    const x = seededInput([5, 6, 6, 2]);
    const a = model.predict(x) as tf.Tensor;
    const b = runModel(model, x);
    expect(b.shape).toEqual([5, 3]);
    expect(sameValues(a, b)).toBe(true);
    tf.dispose([x, a, b]);
  });

  it('at step 0 (B = 0) the adapted outputs equal predict exactly', () => {
    const x = seededInput([5, 6, 6, 2]);
    const a = model.predict(x) as tf.Tensor;
    const b = runModel(model, x, { plan, adapters });
    expect(sameValues(a, b)).toBe(true);
    tf.dispose([x, a, b]);
  });

  it('uses the adapters: non-zero B changes the output, and scaling B scales the LoRA delta', () => {
    const x = seededInput([5, 6, 6, 2]);
    const single: TrainPlan = { dense1: { kind: 'lora', r: 2, alpha: 8, rslora: true } };
    const ads = createLoraAdapters(model, single, createRng(3));
    const ad = ads.get('dense1')!;
    // features entering dense1, and its pre-activation without LoRA, computed by hand
    const feats = runModel(model, x, { stopAt: 'drop' });
    ad.B.assign(tf.randomNormal([2, 6], 0, 1, 'float32', 4));
    const got = runModel(model, x, { plan: single, adapters: ads, stopAt: 'dense1' });
    const [kernel, bias] = model.getLayer('dense1').getWeights() as [tf.Tensor2D, tf.Tensor1D];
    const want = tf.tidy(() => tf.relu(feats.matMul(kernel).add(bias).add(feats.matMul(ad.A as tf.Tensor2D).matMul(ad.B as tf.Tensor2D).mul(8 / Math.sqrt(2)))));
    expect(ad.scale).toBeCloseTo(8 / Math.sqrt(2), 12);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
    const base = model.predict(x) as tf.Tensor;
    const adapted = runModel(model, x, { plan: single, adapters: ads });
    expect(maxAbsDiff(base, adapted)).toBeGreaterThan(1e-3);
    tf.dispose([x, feats, got, want, base, adapted]);
    disposeLoraAdapters(ads);
  });

  it('stopAt returns a layer output (features) and frees everything else', async () => {
    const x = seededInput([2, 6, 6, 2]);
    const f = await expectNoTensorLeak(() => runModel(model, x, { plan, adapters, stopAt: 'flat' }), { keeps: 1 });
    expect(f.shape).toEqual([2, 30]); // conv2 valid, stride 2: rows (6-3)/2+1 = 2, cols (6-2)/2+1 = 3, 5 filters
    tf.dispose([x, f]);
  });

  it('training turns dropout on (Dropout layer and LoRA dropout); inference is deterministic', () => {
    const x = seededInput([4, 6, 6, 2]);
    const ads = createLoraAdapters(model, plan, createRng(5));
    for (const ad of ads.values()) ad.B.assign(tf.onesLike(ad.B));
    const i1 = runModel(model, x, { plan, adapters: ads });
    const i2 = runModel(model, x, { plan, adapters: ads });
    const t1 = runModel(model, x, { plan, adapters: ads, training: true, rng: createRng(1) });
    expect(sameValues(i1, i2)).toBe(true);
    expect(maxAbsDiff(i1, t1)).toBeGreaterThan(1e-4);
    tf.dispose([x, i1, i2, t1]);
    disposeLoraAdapters(ads);
  });

  it('refuses a LoRA plan without adapters and a wrong input count', () => {
    const x = seededInput([1, 6, 6, 2]);
    expect(() => runModel(model, x, { plan })).toThrow(/conv1.*no adapter/);
    expect(() => runModel(model, [x, x])).toThrow(/takes 1 input/);
    x.dispose();
  });
});

describe('runModel on a functional model with a branch', () => {
  it('at step 0 equals predict exactly, and stopAt reaches the merge point', () => {
    const model = branchedNet();
    const plan: TrainPlan = { trunk: { kind: 'lora', r: 2, alpha: 2 }, left: { kind: 'lora', r: 1, alpha: 1 }, right: { kind: 'lora', r: 4, alpha: 8 }, out: { kind: 'lora', r: 3, alpha: 6 } };
    const ads = createLoraAdapters(model, plan, createRng(9));
    const x = seededInput([6, 8]);
    const a = model.predict(x) as tf.Tensor;
    const b = runModel(model, x, { plan, adapters: ads });
    expect(b.shape).toEqual([6, 3]);
    expect(sameValues(a, b)).toBe(true);
    const cat = runModel(model, x, { stopAt: 'cat' });
    expect(cat.shape).toEqual([6, 9]);
    tf.dispose([x, a, b, cat]);
    disposeLoraAdapters(ads);
    model.dispose();
  });
});

describe('runModel edge cases', () => {
  it('runs a two-input, two-output model like predict', () => {
    const a = tf.input({ shape: [3], name: 'a' });
    const b = tf.input({ shape: [4], name: 'b' });
    const da = tf.layers.dense({ name: 'da', units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(a) as tf.SymbolicTensor;
    const shared = tf.layers.dense({ name: 'shared', units: 3, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) });
    const cat = tf.layers.concatenate({ name: 'cat2' }).apply([da, b]) as tf.SymbolicTensor; // [6]
    const y1 = shared.apply(cat) as tf.SymbolicTensor;
    const y2 = tf.layers.dense({ name: 'y2', units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(y1) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: [y1, y2] });
    const plan: TrainPlan = { shared: { kind: 'lora', r: 2, alpha: 2 } };
    const ads = createLoraAdapters(model, plan, createRng(1));
    const xa = seededInput([2, 3], 1);
    const xb = seededInput([2, 4], 2);
    const want = model.predict([xa, xb]) as tf.Tensor[];
    const got = runModelOutputs(model, [xa, xb], { plan, adapters: ads });
    expect(got.map((t) => t.shape)).toEqual([[2, 3], [2, 1]]);
    got.forEach((t, i) => expect(sameValues(t, want[i]!)).toBe(true));
    expect(() => runModel(model, [xa, xb])).toThrow(/has 2 outputs; use runModelOutputs/);
    tf.dispose([xa, xb, ...want, ...got]);
    disposeLoraAdapters(ads);
    model.dispose();
  });

  it("trains a 'train' BatchNormalization in training mode without leaking tensors", () => {
    const model = sequentialConvNet();
    const plan: TrainPlan = { conv1: { kind: 'lora', r: 1, alpha: 1 }, bn: { kind: 'full' } };
    const ads = createLoraAdapters(model, plan, createRng(1));
    const x = seededInput([4, 6, 6, 2]);
    const vars = [ads.get('conv1')!.A, ads.get('conv1')!.B, ...model.getLayer('bn').trainableWeights.map((w) => w.read() as tf.Variable)];
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.mean(tf.square(runModel(model, x, { plan, adapters: ads, training: true }))) as tf.Scalar, vars);
        expect(Object.keys(grads)).toHaveLength(4);
      });
      counts.push(tf.memory().numTensors);
    }
    expectFlatTensorCounts(counts);
    x.dispose();
    disposeLoraAdapters(ads);
    model.dispose();
  });
});
