import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../../testing/errorOf.ts';
import { parseHfConfig } from '../hfConfig.ts';
import { fixtureBytes } from '../hfTestFixtures.ts';
import { gemmaEmbeddingScale } from './gemma2.ts';

const fixtureConfig = JSON.parse(new TextDecoder().decode(fixtureBytes('gemma2', 'base/config.json'))) as Record<string, unknown>;

describe('gemma2 config', () => {
  it('reads the fixture: four (1 + w) norms per block, GeGLU, scales, soft-caps, sliding then full layers', () => {
    const c = parseHfConfig(fixtureConfig, 'gemma2/config.json');
    expect(c.architecture).toBe('gemma2');
    expect(c.block).toEqual({
      normPlusOne: true,
      qkNorm: false,
      sandwichNorms: true,
      activation: 'gelu_tanh',
      fusedQkv: false,
      fusedGateUp: false,
      embeddingScale: Math.fround(4), // sqrt(16)
      attentionScale: Math.pow(12, -0.5), // query_pre_attn_scalar ** -0.5 (12, not head_dim 8)
      attentionSoftcap: 1.5,
      finalSoftcap: 4,
    });
    expect(c.layers.map((l) => l.slidingWindow)).toEqual([3, null]);
    expect(c.tieWordEmbeddings).toBe(true);
  });

  it("takes Gemma2Config's defaults for absent keys: soft-caps 50 and 30, alternating layers, query_pre_attn_scalar 256", () => {
    const { attn_logit_softcapping: _a, final_logit_softcapping: _f, layer_types: _l, query_pre_attn_scalar: _q, ...bare } = fixtureConfig;
    const c = parseHfConfig({ ...bare, num_hidden_layers: 4 }, 'c.json');
    expect([c.block.attentionSoftcap, c.block.finalSoftcap, c.block.attentionScale]).toEqual([50, 30, 1 / 16]);
    expect(c.layers.map((l) => l.slidingWindow)).toEqual([3, null, 3, null]);
    // null turns soft-capping off
    const off = parseHfConfig({ ...fixtureConfig, attn_logit_softcapping: null, final_logit_softcapping: null }, 'c.json');
    expect([off.block.attentionSoftcap, off.block.finalSoftcap]).toEqual([null, null]);
  });

  it('refuses what it does not reproduce, naming the field', () => {
    expect(thrownBy(() => parseHfConfig({ ...fixtureConfig, use_bidirectional_attention: true }, 'g/config.json')).message).toBe(
      'g/config.json: use_bidirectional_attention true is not supported; only causal (left-to-right) Gemma models can be fine-tuned here.',
    );
    expect(thrownBy(() => parseHfConfig({ ...fixtureConfig, hidden_activation: 'relu' }, 'g/config.json')).message).toMatch(/^g\/config\.json: hidden_activation "relu" is not supported/);
    expect(thrownBy(() => parseHfConfig({ ...fixtureConfig, attn_logit_softcapping: -1 }, 'g/config.json')).message).toMatch(/"attn_logit_softcapping" must be a positive number/);
  });
});

describe('gemmaEmbeddingScale', () => {
  it("is sqrt(hidden_size) rounded to the weights' dtype, as transformers casts its float32 buffer", () => {
    // Gemma 3 270M: hidden 640. torch.tensor(640 ** 0.5).to(torch.bfloat16) == 25.25
    expect(gemmaEmbeddingScale({ dtype: 'bfloat16' }, 640)).toBe(25.25);
    expect(gemmaEmbeddingScale({ torch_dtype: 'bfloat16' }, 640)).toBe(25.25); // transformers 4's key
    expect(gemmaEmbeddingScale({ dtype: 'float16' }, 640)).toBe(25.296875);
    expect(gemmaEmbeddingScale({ dtype: 'float32' }, 640)).toBe(Math.fround(Math.sqrt(640)));
    expect(gemmaEmbeddingScale({}, 1152)).toBe(Math.fround(Math.sqrt(1152)));
  });
});

describe('google/gemma-2-2b config.json as released (transformers 4.42 keys)', () => {
  it('alternates sliding (4096) and full layers, caps at 50 and 30, scales by 256^-0.5', () => {
    const released = {
      architectures: ['Gemma2ForCausalLM'], attention_bias: false, attention_dropout: 0.0, attn_logit_softcapping: 50.0, bos_token_id: 2,
      cache_implementation: 'hybrid', eos_token_id: [1, 107], final_logit_softcapping: 30.0, head_dim: 256, hidden_act: 'gelu_pytorch_tanh',
      hidden_activation: 'gelu_pytorch_tanh', hidden_size: 2304, initializer_range: 0.02, intermediate_size: 9216, max_position_embeddings: 8192,
      model_type: 'gemma2', num_attention_heads: 8, num_hidden_layers: 26, num_key_value_heads: 4, pad_token_id: 0, query_pre_attn_scalar: 256,
      rms_norm_eps: 1e-6, rope_theta: 10000.0, sliding_window: 4096, torch_dtype: 'float32', transformers_version: '4.42.4', use_cache: true, vocab_size: 256000,
    };
    const c = parseHfConfig(released, 'google/gemma-2-2b/config.json');
    expect(c.layers.slice(0, 4).map((l) => l.slidingWindow)).toEqual([4096, null, 4096, null]);
    expect(c.block).toMatchObject({ attentionSoftcap: 50, finalSoftcap: 30, attentionScale: 1 / 16, embeddingScale: Math.fround(48), qkNorm: false });
    expect(c.eosTokenId).toEqual([1, 107]);
    expect(c.layers[1]!.rope!.invFreq[1]).toBeCloseTo(Math.pow(1e4, -2 / 256), 6); // float32
  });
});
