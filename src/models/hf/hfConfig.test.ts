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
      normEps: 1e-6, ropeTheta: 10000, tieWordEmbeddings: false, attentionBias: false, mlpBias: false, bosTokenId: 1, eosTokenId: 2,
    });
  });

  it('gives the same config for rope_theta and rope_parameters.rope_theta', () => {
    const { rope_parameters: _, ...rest } = json('tiny-llama');
    const v4 = parseHfConfig({ ...rest, rope_theta: 500000 });
    const v5 = parseHfConfig({ ...rest, rope_parameters: { rope_type: 'default', rope_theta: 500000 } });
    expect(v4.ropeTheta).toBe(500000);
    expect({ ...v5, raw: null }).toEqual({ ...v4, raw: null });
  });

  it('defaults key/value heads and head_dim', () => {
    const { num_key_value_heads: _a, head_dim: _b, ...rest } = json('tiny-llama');
    expect(parseHfConfig(rest)).toMatchObject({ numKvHeads: 4, headDim: 8 });
  });

  it('qwen2 always has q/k/v biases; mistral caps positions at its sliding window', () => {
    const base = { ...json('tiny-llama'), tie_word_embeddings: true };
    expect(parseHfConfig({ ...base, model_type: 'qwen2' })).toMatchObject({ architecture: 'qwen2', attentionBias: true, tieWordEmbeddings: true });
    expect(parseHfConfig({ ...base, model_type: 'mistral', sliding_window: 16, eos_token_id: [2, 3] })).toMatchObject({ maxPositions: 16, eosTokenId: [2, 3] });
    expect(parseHfConfig({ ...base, model_type: 'mistral', sliding_window: null }).maxPositions).toBe(64);
    expect(parseHfConfig({ ...base, model_type: 'qwen2', sliding_window: 16, use_sliding_window: false }).maxPositions).toBe(64);
  });

  it('refuses what it cannot run, naming the file', () => {
    expectError(() => parseHfConfig({ model_type: 'bert' }, 'm/config.json'), 'hf-model-unsupported', /^m\/config\.json: model_type "bert"/);
    expectError(() => parseHfConfig([], 'm/config.json'), 'hf-config-invalid', /m\/config\.json/);
    expectError(() => parseHfConfig({ hidden_size: 3 }), 'hf-config-invalid', /model_type/);
    const { hidden_size: _, ...noHidden } = json('tiny-llama');
    expectError(() => parseHfConfig(noHidden, 'x/config.json'), 'hf-config-invalid', /^x\/config\.json: the key "hidden_size" is missing/);
    expectError(() => parseHfConfig({ ...json('tiny-llama'), rope_parameters: { rope_type: 'llama3', rope_theta: 1 } }), 'hf-config-invalid', /rope_type "llama3"/);
    expectError(() => parseHfConfig({ ...json('tiny-llama'), rope_scaling: { type: 'linear', factor: 2 }, rope_parameters: undefined }), 'hf-config-invalid', /rope_type "linear"/);
    expectError(() => parseHfConfig({ ...json('tiny-llama'), num_key_value_heads: 3 }), 'hf-config-invalid', /multiple/);
    expectError(() => parseHfConfig({ ...json('tiny-llama'), hidden_act: 'gelu' }), 'hf-config-invalid', /hidden_act "gelu"/);
    expectError(() => parseHfConfig({ ...json('tiny-gpt2'), activation_function: 'relu' }), 'hf-config-invalid', /activation_function "relu"/);
    expectError(() => parseHfConfig({ ...json('tiny-gpt2'), n_layer: 1.5 }), 'hf-config-invalid', /"n_layer" must be a positive integer/);
  });
});
