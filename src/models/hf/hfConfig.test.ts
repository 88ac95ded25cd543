import { describe, expect, it } from 'vitest';
import { EngineError } from '../../errors.ts';
import { parseHfConfig } from './hfConfig.ts';
import { fixtureBytes } from './hfTestFixtures.ts';

const json = (model: 'tiny-gpt2' | 'tiny-llama'): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(fixtureBytes(model, 'base/config.json'))) as Record<string, unknown>;

function expectError(fn: () => unknown, code: string, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe(code);
    expect((e as EngineError).message).toMatch(pattern);
    return;
  }
  throw new Error('expected an EngineError');
}

describe('parseHfConfig', () => {
  it('reads gpt2 keys with their defaults', () => {
    const c = parseHfConfig(json('tiny-gpt2'));
    expect(c).toMatchObject({
      architecture: 'gpt2', vocabSize: 300, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 4, headDim: 8,
      intermediateSize: 128, maxPositions: 64, normEps: 1e-5, tieWordEmbeddings: true, attentionBias: true, mlpBias: true,
      bosTokenId: 0, eosTokenId: 0, padTokenId: null,
    });
    expect(parseHfConfig({ ...json('tiny-gpt2'), n_inner: 50, tie_word_embeddings: undefined })).toMatchObject({ intermediateSize: 50, tieWordEmbeddings: true });
  });

  it('reads llama keys, GQA and transformers v5 rope_parameters', () => {
    const c = parseHfConfig(json('tiny-llama'));
    expect(c).toMatchObject({
      architecture: 'llama', hiddenSize: 32, numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 64, maxPositions: 64,
      normEps: 1e-6, tieWordEmbeddings: false, attentionBias: false, outputBias: false, mlpBias: false, bosTokenId: 1, eosTokenId: 2,
    });
    expect(c.layers).toHaveLength(2);
    expect(c.layers[0]).toMatchObject({ slidingWindow: null, rope: { type: 'default', dim: 8, attentionScaling: 1 } });
    expect(c.layers[0]!.rope).toBe(c.layers[1]!.rope); // one spec shared by the blocks
    expect(Array.from(c.layers[0]!.rope!.invFreq)).toEqual([1, 0.1, 0.01, 0.001].map(Math.fround));
  });

  it('gives the same config for rope_theta and rope_parameters.rope_theta', () => {
    const { rope_parameters: _, ...rest } = json('tiny-llama');
    const v4 = parseHfConfig({ ...rest, rope_theta: 500000 });
    const v5 = parseHfConfig({ ...rest, rope_parameters: { rope_type: 'default', rope_theta: 500000 } });
    expect(v4.layers[0]!.rope!.invFreq[1]).toBe(Math.fround(1 / Math.fround(Math.pow(500000, 0.25))));
    expect({ ...v5, raw: null }).toEqual({ ...v4, raw: null });
  });

  it('defaults key/value heads and head_dim', () => {
    const { num_key_value_heads: _a, head_dim: _b, ...rest } = json('tiny-llama');
    expect(parseHfConfig(rest)).toMatchObject({ numKvHeads: 4, headDim: 8 });
  });

  it('qwen2 always has q/k/v biases; sliding windows apply where the family config turns them on', () => {
    const base = { ...json('tiny-llama'), tie_word_embeddings: true };
    const windows = (c: Record<string, unknown>): (number | null)[] => parseHfConfig(c).layers.map((l) => l.slidingWindow);
    expect(parseHfConfig({ ...base, model_type: 'qwen2' })).toMatchObject({ architecture: 'qwen2', attentionBias: true, outputBias: false, tieWordEmbeddings: true });
    expect(parseHfConfig({ ...base, model_type: 'mistral', sliding_window: 16, eos_token_id: [2, 3] })).toMatchObject({ maxPositions: 64, eosTokenId: [2, 3] });
    expect(windows({ ...base, model_type: 'mistral', sliding_window: 16 })).toEqual([16, 16]);
    expect(windows({ ...base, model_type: 'mistral', sliding_window: null })).toEqual([null, null]);
    expect(windows({ ...base, model_type: 'qwen2', sliding_window: 16, use_sliding_window: false })).toEqual([null, null]);
    // qwen2: from block max_window_layers on, or as layer_types says
    expect(windows({ ...base, model_type: 'qwen2', sliding_window: 16, use_sliding_window: true, max_window_layers: 1 })).toEqual([null, 16]);
    expect(windows({ ...base, model_type: 'qwen2', sliding_window: 16, use_sliding_window: true, layer_types: ['sliding_attention', 'full_attention'] })).toEqual([16, null]);
    expect(windows({ ...base, model_type: 'phi3', sliding_window: 8 })).toEqual([8, 8]);
  });

  it('smollm3 skips rotary on the layers no_rope_layers marks, or every no_rope_layer_interval-th by default', () => {
    const base = { ...json('tiny-llama'), model_type: 'smollm3', num_hidden_layers: 8 };
    const ropes = (c: Record<string, unknown>): boolean[] => parseHfConfig(c).layers.map((l) => l.rope !== null);
    expect(ropes(base)).toEqual([true, true, true, false, true, true, true, false]);
    expect(ropes({ ...base, no_rope_layer_interval: 2 })).toEqual([true, false, true, false, true, false, true, false]);
    expect(ropes({ ...base, num_hidden_layers: 2, no_rope_layers: [0, 1] })).toEqual([false, true]);
    expectError(() => parseHfConfig({ ...base, no_rope_layers: [1, 2] }, 's/config.json'), 'hf-config-invalid', /^s\/config\.json: "no_rope_layers" must list 0 or 1 for each of the 8 layers/);
  });

  it('refuses what it cannot run, naming the file', () => {
    expectError(() => parseHfConfig({ model_type: 'bert' }, 'm/config.json'), 'hf-model-unsupported', /^m\/config\.json: model_type "bert" is not supported; supported families are gpt2, llama, qwen2, qwen3, mistral, phi3, smollm3/);
    expectError(() => parseHfConfig([], 'm/config.json'), 'hf-config-invalid', /m\/config\.json/);
    expectError(() => parseHfConfig({ hidden_size: 3 }), 'hf-config-invalid', /model_type/);
    const { hidden_size: _, ...noHidden } = json('tiny-llama');
    expectError(() => parseHfConfig(noHidden, 'x/config.json'), 'hf-config-invalid', /^x\/config\.json: the key "hidden_size" is missing/);
    expectError(() => parseHfConfig({ ...json('tiny-llama'), rope_parameters: { rope_type: 'llama3', rope_theta: 1 } }), 'hf-config-invalid', /rope_type "llama3" needs "rope_parameters.factor"/);
    expectError(() => parseHfConfig({ ...json('tiny-llama'), rope_scaling: { type: 'su', factor: 2 }, rope_parameters: undefined }, 'q/config.json'), 'hf-model-unsupported', /^q\/config\.json: rope_type "su" is not supported/);
    expectError(() => parseHfConfig({ ...json('tiny-llama'), model_type: 'qwen3', layer_types: ['full_attention', 'chunked_attention'] }), 'hf-model-unsupported', /layer_types\[1\] is "chunked_attention"/);
    expectError(() => parseHfConfig({ ...json('tiny-llama'), num_key_value_heads: 3 }), 'hf-config-invalid', /multiple/);
    expectError(() => parseHfConfig({ ...json('tiny-llama'), hidden_act: 'gelu' }), 'hf-model-unsupported', /hidden_act "gelu"/);
    expectError(() => parseHfConfig({ ...json('tiny-gpt2'), activation_function: 'relu' }), 'hf-model-unsupported', /activation_function "relu"/);
    expectError(() => parseHfConfig({ ...json('tiny-gpt2'), n_layer: 1.5 }), 'hf-config-invalid', /"n_layer" must be a positive integer/);
  });
});
