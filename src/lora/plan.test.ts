import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../errors.ts';
import { tf, type LayersModel } from '../tf.ts';
import { countTrainableParams, loraScale, loraSupported, validatePlan, type TrainPlan } from './plan.ts';
import { branchedNet, sequentialConvNet } from './testModels.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('layer plans', () => {
  let seq: LayersModel;
  let fn: LayersModel;
  beforeAll(() => {
    seq = sequentialConvNet();
    fn = branchedNet();
  });
  afterAll(() => {
    seq.dispose();
    fn.dispose();
  });

  it('LoRA is supported on Dense and Conv2D only', () => {
    expect(seq.layers.filter(loraSupported).map((l) => l.name)).toEqual(['conv1', 'conv2', 'dense1', 'head']);
    expect(fn.layers.filter(loraSupported).map((l) => l.name)).toEqual(['trunk', 'left', 'right', 'out']);
  });

  it('scale is alpha / r, or alpha / sqrt(r) with rsLoRA', () => {
    expect(loraScale({ r: 4, alpha: 6 })).toBe(1.5);
    expect(loraScale({ r: 4, alpha: 6, rslora: true })).toBe(3);
    expect(loraScale({ r: 16, alpha: 32, rslora: false })).toBe(2);
  });

  it('accepts a valid plan', () => {
    expect(() => validatePlan(seq, { conv1: { kind: 'lora', r: 4, alpha: 1 }, bn: { kind: 'full' }, conv2: { kind: 'frozen' }, head: { kind: 'lora', r: 3, alpha: 3, dropout: 0.5, rslora: true } })).not.toThrow();
  });

  const bad: [string, TrainPlan, RegExp][] = [
    ['an unknown layer', { dense9: { kind: 'full' } }, /layer "dense9", which the model does not have \(its layers: conv1, bn, conv2/],
    ['LoRA on BatchNormalization', { bn: { kind: 'lora', r: 1, alpha: 1 } }, /layer "bn" is a BatchNormalization; LoRA works on Dense and Conv2D/],
    ['r = 0', { dense1: { kind: 'lora', r: 0, alpha: 1 } }, /layer "dense1": LoRA rank r = 0 must be a whole number from 1 to 6 \(min\(in 30, out 6\)\)/],
    ['r > min(in, out) for Dense', { head: { kind: 'lora', r: 4, alpha: 1 } }, /layer "head": LoRA rank r = 4 .* from 1 to 3/],
    ['r > min(in*kh*kw, out) for Conv2D', { conv1: { kind: 'lora', r: 5, alpha: 1 } }, /layer "conv1": LoRA rank r = 5 .* from 1 to 4 \(min\(in\*kh\*kw 18, out 4\)\)/],
    ['fractional r', { conv2: { kind: 'lora', r: 1.5, alpha: 1 } }, /layer "conv2": LoRA rank r = 1.5/],
    ['alpha <= 0', { conv2: { kind: 'lora', r: 1, alpha: 0 } }, /layer "conv2": lora alpha = 0 must be a positive number/],
    ['dropout 1', { conv2: { kind: 'lora', r: 1, alpha: 1, dropout: 1 } }, /layer "conv2": lora dropout = 1/],
    ['train on a weightless layer', { flat: { kind: 'full' } }, /layer "flat" \(Flatten\) has no weights to train/],
    ['an unknown mode', { conv2: { kind: 'qlora' } as never }, /layer "conv2": unknown mode "qlora"/],
  ];
  for (const [what, plan, message] of bad) {
    it(`refuses ${what} with a message naming the layer`, () => {
      let error: unknown;
      try {
        validatePlan(seq, plan);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('lora-plan-invalid');
      expect((error as EngineError).message).toMatch(message);
    });
  }

  it('refuses LoRA on a channelsFirst Conv2D', () => {
    const m = tf.sequential({ layers: [tf.layers.conv2d({ name: 'cf', inputShape: [2, 5, 5], filters: 3, kernelSize: 3, dataFormat: 'channelsFirst' })] });
    expect(() => validatePlan(m, { cf: { kind: 'lora', r: 1, alpha: 1 } })).toThrow(/layer "cf" uses dataFormat "channelsFirst"/);
    m.dispose();
  });

  it('counts trainable parameters: LoRA Dense r*(in+out), Conv2D r*in*kh*kw + out*r, train = the layer', () => {
    const plan: TrainPlan = {
      conv1: { kind: 'lora', r: 2, alpha: 1 }, // 2*2*3*3 + 4*2 = 44
      conv2: { kind: 'lora', r: 3, alpha: 1 }, // 3*4*3*2 + 5*3 = 87
      bn: { kind: 'full' }, // gamma + beta = 8 (moving statistics are not trainable)
      dense1: { kind: 'lora', r: 2, alpha: 1 }, // 2*(30+6) = 72
      head: { kind: 'full' }, // 6*3 + 3 = 21
    };
    const total = seq.countParams();
    expect(countTrainableParams(seq, plan)).toEqual({ trainable: 44 + 87 + 8 + 72 + 21, total: total + 44 + 87 + 72 });
    expect(countTrainableParams(seq, {})).toEqual({ trainable: 0, total });
  });
});
