/**
 * GPT-2 (GPT2LMHeadModel): learned positions, LayerNorm, Conv1D weights stored [in, out]
 * (PEFT's fan_in_fan_out), fused c_attn, gelu_new, tied head.
 */
import { showValue } from '../../../errors.ts';
import { gpt2Forward } from '../gpt2Forward.ts';
import { boolKey, eosId, intKey, invalidConfig, numKey, tokenId, unsupportedConfig, type RawConfig } from '../hfConfigKeys.ts';
import type { HfFamily } from '../hfFamily.ts';
import { GPT2_EMBEDDING, LM_HEAD } from '../hfNames.ts';
import type { HfModelConfig, LinearModule } from '../hfTypes.ts';

function parse(raw: RawConfig, fileName: string): HfModelConfig {
  const act = raw.activation_function ?? 'gelu_new';
  if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh')
    throw unsupportedConfig(fileName, `activation_function ${showValue(act)} is not supported for gpt2; only gelu_new (the tanh approximation) is.`);
  if (raw.scale_attn_by_inverse_layer_idx === true) throw unsupportedConfig(fileName, 'scale_attn_by_inverse_layer_idx is not supported; only standard gpt2 attention scaling is.');
  if (raw.scale_attn_weights === false) throw unsupportedConfig(fileName, 'scale_attn_weights false is not supported; gpt2 attention is scaled by 1/sqrt(head_dim).');
  if (raw.add_cross_attention === true) throw unsupportedConfig(fileName, 'add_cross_attention is not supported; choose a decoder-only gpt2.');
  const hiddenSize = intKey(raw, 'n_embd', fileName);
  const numHeads = intKey(raw, 'n_head', fileName);
  if (hiddenSize % numHeads !== 0) throw invalidConfig(fileName, `n_embd ${hiddenSize} is not divisible by n_head ${numHeads}.`);
  const numLayers = intKey(raw, 'n_layer', fileName);
  const headDim = hiddenSize / numHeads;
  return {
    architecture: 'gpt2',
    raw,
    vocabSize: intKey(raw, 'vocab_size', fileName),
    hiddenSize,
    numLayers,
    numHeads,
    numKvHeads: numHeads,
    headDim,
    intermediateSize: intKey(raw, 'n_inner', fileName, 4 * hiddenSize),
    maxPositions: intKey(raw, 'n_positions', fileName),
    normEps: numKey(raw, 'layer_norm_epsilon', fileName, 1e-5),
    tieWordEmbeddings: boolKey(raw, 'tie_word_embeddings', fileName, true),
    attentionBias: true,
    outputBias: true,
    mlpBias: true,
    // learned positions, no rotary embedding; the block options below are the decoder defaults gpt2Forward ignores
    layers: Array.from({ length: numLayers }, () => ({ slidingWindow: null, rope: null })),
    block: {
      normPlusOne: false,
      qkNorm: false,
      sandwichNorms: false,
      activation: 'silu',
      fusedQkv: true,
      fusedGateUp: false,
      embeddingScale: 1,
      attentionScale: 1 / Math.sqrt(headDim),
      attentionSoftcap: null,
      finalSoftcap: null,
    },
    bosTokenId: tokenId(raw, 'bos_token_id'),
    eosTokenId: eosId(raw),
    padTokenId: tokenId(raw, 'pad_token_id'),
  };
}

function linearModules(config: HfModelConfig): LinearModule[] {
  const { hiddenSize: c, intermediateSize: m } = config;
  const out: LinearModule[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `transformer.h.${i}`;
    const add = (path: string, inFeatures: number, outFeatures: number, fuses?: string[]): void => {
      const m: LinearModule = { path, name: path.slice(path.lastIndexOf('.') + 1), layer: i, inFeatures, outFeatures, fanInFanOut: true, hasBias: true };
      if (fuses) m.fuses = fuses;
      out.push(m);
    };
    add(`${p}.attn.c_attn`, c, 3 * c, ['q', 'k', 'v']);
    add(`${p}.attn.c_proj`, c, c);
    add(`${p}.mlp.c_fc`, c, m);
    add(`${p}.mlp.c_proj`, m, c);
  }
  return out;
}

function otherTensors(config: HfModelConfig): Map<string, number[]> {
  const { hiddenSize: c, vocabSize: v } = config;
  const shapes = new Map<string, number[]>([
    [GPT2_EMBEDDING, [v, c]],
    ['transformer.wpe.weight', [config.maxPositions, c]],
  ]);
  for (let i = 0; i < config.numLayers; i++) {
    for (const ln of ['ln_1', 'ln_2']) {
      shapes.set(`transformer.h.${i}.${ln}.weight`, [c]);
      shapes.set(`transformer.h.${i}.${ln}.bias`, [c]);
    }
  }
  shapes.set('transformer.ln_f.weight', [c]);
  shapes.set('transformer.ln_f.bias', [c]);
  if (!config.tieWordEmbeddings) shapes.set(LM_HEAD, [v, c]);
  return shapes;
}

export const gpt2Family: HfFamily = {
  modelType: 'gpt2',
  label: 'GPT-2',
  peftTargets: ['c_attn'],
  parse,
  linearModules,
  otherTensors,
  embeddingName: GPT2_EMBEDDING,
  // checkpoints saved from GPT2Model lack the `transformer.` prefix GPT2LMHeadModel uses
  normaliseName: (name) => (name.startsWith('transformer.') || name.startsWith('lm_head.') ? name : `transformer.${name}`),
  forward: gpt2Forward,
};
