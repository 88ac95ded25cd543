import { describe, expect, it } from 'vitest';
import type { LayerSummary } from '../../../src/index.ts';
import { freezeFirstPlan, fullPlan, headOnlyPlan, loraAllPlan, loraMode, withAlpha, withDropout, withRank, withRslora } from './planPresets.ts';

const layer = (name: string, className: string, params: number): LayerSummary => ({
  name,
  className,
  loraSupported: className === 'Dense' || className === 'Conv2D',
  outputShape: [1],
  params,
  trainable: false,
});

const LAYERS = [
  layer('image', 'InputLayer', 0),
  layer('conv1', 'Conv2D', 448),
  layer('pool1', 'MaxPooling2D', 0),
  layer('conv2', 'Conv2D', 4640),
  layer('bn', 'BatchNormalization', 128),
  layer('embedding', 'Dense', 4160),
];

describe('plan presets', () => {
  it('head only is the empty plan', () => {
    expect(headOnlyPlan()).toEqual({});
  });

  it('puts LoRA r=4, alpha 8 on every Dense/Conv2D layer', () => {
    expect(loraAllPlan(LAYERS)).toEqual({ conv1: loraMode(4), conv2: loraMode(4), embedding: loraMode(4) });
    expect(loraMode(4)).toEqual({ kind: 'lora', r: 4, alpha: 8 });
  });

  it('freezes the first N layers with weights and trains the rest', () => {
    expect(Object.keys(freezeFirstPlan(LAYERS, 2))).toEqual(['bn', 'embedding']);
    expect(freezeFirstPlan(LAYERS, 10)).toEqual({});
    expect(Object.keys(fullPlan(LAYERS))).toEqual(['conv1', 'conv2', 'bn', 'embedding']);
  });

  it('lets alpha follow the rank only while it has its default', () => {
    const m = loraMode(4);
    if (m.kind !== 'lora') throw new Error('unreachable');
    expect(withRank(m, 2)).toEqual({ kind: 'lora', r: 2, alpha: 4 });
    const custom = withAlpha(m, 3);
    if (custom.kind !== 'lora') throw new Error('unreachable');
    expect(withRank(custom, 8)).toEqual({ kind: 'lora', r: 8, alpha: 3 });
  });

  it('sets LoRA dropout and rsLoRA, leaving their defaults (0, off) out of the plan', () => {
    const m = loraMode(4);
    if (m.kind !== 'lora') throw new Error('unreachable');
    const both = withRslora(withDropout(m, 0.1), true);
    expect(both).toStrictEqual({ kind: 'lora', r: 4, alpha: 8, dropout: 0.1, rslora: true });
    // Rank and alpha changes keep them.
    expect(withRank(both, 2)).toStrictEqual({ kind: 'lora', r: 2, alpha: 4, dropout: 0.1, rslora: true });
    expect(withAlpha(both, 3)).toStrictEqual({ kind: 'lora', r: 4, alpha: 3, dropout: 0.1, rslora: true });
    // Back to the defaults: the keys go.
    expect(withRslora(withDropout(both, 0), false)).toStrictEqual({ kind: 'lora', r: 4, alpha: 8 });
  });
});
