import { describe, expect, it } from 'vitest';
import { parseHfConfig } from '../hfConfig.ts';
import { fixtureBytes } from '../hfTestFixtures.ts';
import { parseRope } from '../ropeSpec.ts';
import { gemma3RopeByLayerType } from './gemma3.ts';

const fixtureConfig = JSON.parse(new TextDecoder().decode(fixtureBytes('gemma3', 'base/config.json'))) as Record<string, unknown>;

describe('gemma3_text config', () => {
  it('reads the fixture: q/k norms, query_pre_attn_scalar, a rope base per layer type, sliding then full', () => {
    const c = parseHfConfig(fixtureConfig, 'gemma3/config.json');
    expect(c.architecture).toBe('gemma3_text');
    expect(c.block).toMatchObject({ normPlusOne: true, qkNorm: true, sandwichNorms: true, activation: 'gelu_tanh', attentionScale: 0.25, attentionSoftcap: null, finalSoftcap: null });
    expect(c.block.embeddingScale).toBe(Math.fround(Math.sqrt(32)));
    expect(c.layers.map((l) => l.slidingWindow)).toEqual([3, null]);
    // sliding layers rotate with base 1e4, full ones with 1e6 (inv_freq[1] = base^(-2/16))
    expect(c.layers[0]!.rope!.invFreq[1]).toBeCloseTo(Math.pow(1e4, -1 / 8), 7);
    expect(c.layers[1]!.rope!.invFreq[1]).toBeCloseTo(Math.pow(1e6, -1 / 8), 7);
  });

  it('defaults to five sliding layers per full one (sliding_window_pattern 6)', () => {
    const { layer_types: _, ...bare } = fixtureConfig;
    const c = parseHfConfig({ ...bare, num_hidden_layers: 7 }, 'c.json');
    expect(c.layers.map((l) => (l.slidingWindow === null ? 'F' : 'S')).join('')).toBe('SSSSSFS');
    expect(parseHfConfig({ ...bare, num_hidden_layers: 4, sliding_window_pattern: 2 }, 'c.json').layers.map((l) => l.slidingWindow)).toEqual([3, null, 3, null]);
  });

  it("reads a transformers 4 config as Gemma3TextConfig converts it: rope_theta and rope_scaling for full layers, rope_local_base_freq for sliding ones", () => {
    const { rope_parameters: _, ...rest } = fixtureConfig;
    const old = { ...rest, rope_theta: 1e6, rope_local_base_freq: 1e4, rope_scaling: { rope_type: 'linear', factor: 8 } };
    const converted = gemma3RopeByLayerType(old);
    expect(converted.rope_parameters).toEqual({
      full_attention: { rope_type: 'linear', factor: 8, rope_theta: 1e6 },
      sliding_attention: { rope_type: 'default', rope_theta: 1e4 },
    });
    const c = parseHfConfig(old, 'old/config.json');
    expect(c.raw).toBe(old); // written back unchanged with a merged model
    expect(c.layers[0]!.rope).toEqual(parseRope(converted, 'x', 16, 64, 'sliding_attention'));
    expect(c.layers[1]!.rope!.type).toBe('linear');
    expect(c.layers[1]!.rope!.invFreq[1]).toBeCloseTo(Math.pow(1e6, -1 / 8) / 8, 9);
    // Without any rope keys: transformers' defaults 1e6 (full) and 1e4 (sliding).
    const { rope_theta: _t, rope_local_base_freq: _l, rope_scaling: _s, ...none } = old;
    expect(gemma3RopeByLayerType(none).rope_parameters).toEqual({ full_attention: { rope_type: 'default', rope_theta: 1e6 }, sliding_attention: { rope_type: 'default', rope_theta: 1e4 } });
  });
});
