import { describe, expect, it } from 'vitest';
import { parseHfConfig } from '../hfConfig.ts';
import { fixtureBytes } from '../hfTestFixtures.ts';
import { checkFits, maxTensorBytes } from '../hfMemory.ts';
import { parseRope } from '../ropeSpec.ts';
import { chunkCount } from '../rowChunks.ts';
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

  it("reads google/gemma-3-270m's config.json as released (transformers 4.55 keys, bfloat16)", () => {
    const types = Array.from({ length: 18 }, (_, i) => ((i + 1) % 6 === 0 ? 'full_attention' : 'sliding_attention'));
    const released = {
      _sliding_window_pattern: 6, architectures: ['Gemma3ForCausalLM'], attention_bias: false, attention_dropout: 0.0, attn_logit_softcapping: null,
      bos_token_id: 2, eos_token_id: 1, final_logit_softcapping: null, head_dim: 256, hidden_activation: 'gelu_pytorch_tanh', hidden_size: 640,
      initializer_range: 0.02, intermediate_size: 2048, layer_types: types, max_position_embeddings: 32768, model_type: 'gemma3_text',
      num_attention_heads: 4, num_hidden_layers: 18, num_key_value_heads: 1, pad_token_id: 0, query_pre_attn_scalar: 256, rms_norm_eps: 1e-6,
      rope_local_base_freq: 10000.0, rope_scaling: null, rope_theta: 1000000.0, sliding_window: 512, torch_dtype: 'bfloat16',
      transformers_version: '4.55.0.dev0', use_bidirectional_attention: false, use_cache: true, vocab_size: 262144,
    };
    const c = parseHfConfig(released, 'google/gemma-3-270m/config.json');
    expect(c.block).toMatchObject({ embeddingScale: 25.25, attentionScale: 1 / 16, qkNorm: true, attentionSoftcap: null, finalSoftcap: null });
    expect(c.tieWordEmbeddings).toBe(true);
    expect(c.layers.filter((l) => l.slidingWindow === 512)).toHaveLength(15);
    expect(c.layers[5]!.rope!.invFreq[1]).toBeCloseTo(Math.pow(1e6, -2 / 256), 6); // float32
    expect(c.layers[0]!.rope!.invFreq[1]).toBeCloseTo(Math.pow(1e4, -2 / 256), 6); // float32
    // Its 262,144 x 640 embedding (671 MB in float32) needs 6 chunks under WebGPU's default 128 MiB binding; it is not refused.
    const defaults = { maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456 };
    expect(chunkCount(262144, 640, maxTensorBytes(defaults))).toBe(6);
    const estimate = { totalBytes: 268e6 * 4, largestTensorBytes: 2048 * 640 * 4, largestTensorName: 'model.layers.0.mlp.up_proj.weight', largestTableBytes: 262144 * 640 * 4, largestTableName: 'model.embed_tokens.weight', tableRowBytes: 640 * 4, tensorCount: 236 };
    expect(() => checkFits(estimate, defaults)).not.toThrow();
  });
});
