import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRng } from '../data/rng.ts';
import { expectFlatTensorCounts } from '../testing/expectFlatTensorCounts.ts';
import { tf, type LayersModel } from '../tf.ts';
import { AdamW } from '../train/adamw.ts';
import { createLoraAdapters, disposeLoraAdapters, type LoraAdapters } from './loraAdapter.ts';
import type { TrainPlan } from './plan.ts';
import { runModel } from './runModel.ts';
import { seededInput, sequentialConvNet } from './testModels.ts';
import { trainableParams } from './trainableParams.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const snapshot = (model: LayersModel): Map<string, Float32Array[]> =>
  new Map(model.layers.map((l) => [l.name, l.weights.map((w) => w.read().dataSync().slice() as Float32Array)]));

const bitsEqual = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('training under a plan with AdamW', () => {
  let model: LayersModel;
  let adapters: LoraAdapters;
  // conv1 LoRA, bn frozen, conv2 frozen, dense1 LoRA, head fully trained
  const plan: TrainPlan = {
    conv1: { kind: 'lora', r: 2, alpha: 4, dropout: 0.1 },
    conv2: { kind: 'frozen' },
    dense1: { kind: 'lora', r: 3, alpha: 3 },
    head: { kind: 'full' },
  };
  // Each test gets its own model: the training test changes the head and the adapters.
  beforeEach(() => {
    model = sequentialConvNet();
    model.trainable = false; // as asBaseModel freezes a base: 'train' layers must still train
    adapters = createLoraAdapters(model, plan, createRng(11));
  });
  afterEach(() => {
    disposeLoraAdapters(adapters);
    model.dispose();
  });

  it('lists exactly A, B of LoRA layers and the head weights, with decay on matrices only', () => {
    const params = trainableParams(model, plan, adapters);
    const names = params.map((p) => p.variable.name);
    expect(names).toHaveLength(6);
    expect(names.filter((n) => /conv1\/[AB]$/.test(n))).toHaveLength(2);
    expect(names.filter((n) => /dense1\/[AB]$/.test(n))).toHaveLength(2);
    const head = model.getLayer('head').weights.map((w) => (w.read() as tf.Variable).name);
    expect(names.slice(4)).toEqual(head);
    expect(params.map((p) => p.decay)).toEqual([true, true, true, true, true, false]);
  });

  it('gradients reach only trainable variables; frozen weights stay bit-identical; the tensor count stays flat', () => {
    const params = trainableParams(model, plan, adapters);
    const opt = new AdamW(params, { learningRate: 0.05, weightDecay: 0.01 });
    const before = snapshot(model);
    const x = seededInput([8, 6, 6, 2], 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const rng = createRng(2);
    const step = (): number => {
      const lossT = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(y, runModel(model, x, { plan, adapters, training: true, rng })) as tf.Scalar,
          opt.variables,
        );
        // only the listed variables get gradients
        expect(Object.keys(grads).sort()).toEqual(opt.variables.map((v) => v.name).sort());
        opt.apply(grads);
        return value;
      });
      const loss = lossT.dataSync()[0] as number;
      lossT.dispose();
      return loss;
    };
    const first = step();
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      step();
      counts.push(tf.memory().numTensors);
    }
    expectFlatTensorCounts(counts);
    const last = step();
    expect(last).toBeLessThan(first);

    const after = snapshot(model);
    for (const name of ['conv1', 'bn', 'conv2', 'dense1']) {
      const a = before.get(name)!;
      const b = after.get(name)!;
      a.forEach((w, i) => expect(bitsEqual(w, b[i]!), `${name} weight ${i} changed`).toBe(true));
    }
    const headBefore = before.get('head')!;
    const headAfter = after.get('head')!;
    expect(bitsEqual(headBefore[0]!, headAfter[0]!)).toBe(false);
    expect(bitsEqual(headBefore[1]!, headAfter[1]!)).toBe(false);
    for (const ad of adapters.values()) {
      expect(Math.max(...Array.from(ad.B.dataSync(), Math.abs))).toBeGreaterThan(0);
    }
    opt.dispose();
    tf.dispose([x, y]);
  });
});
