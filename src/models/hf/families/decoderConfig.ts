/**
 * config.json of a llama-like decoder (llama, qwen2, qwen3, mistral, phi3, smollm3, gemma) ->
 * HfModelConfig. The keys these families share are read once here; each family passes the rules in
 * which it differs (biases, activation key, which layers slide or skip rotary, block options).
 */
import { showValue } from '../../../errors.ts';
import { boolKey, eosId, intKey, invalidConfig, numKey, optionalNumKey, stringListKey, tokenId, unsupportedConfig, type RawConfig } from '../hfConfigKeys.ts';
import type { HfArchitecture, HfBlockOptions, HfLayerSpec, HfModelConfig, RopeSpec } from '../hfTypes.ts';
import { parseRope } from '../ropeSpec.ts';

export const FULL_ATTENTION = 'full_attention';
export const SLIDING_ATTENTION = 'sliding_attention';

export interface DecoderRules {
  arch: HfArchitecture;
  /** The config key naming the MLP activation ('hidden_act'; gemma: 'hidden_activation') and its default. */
  activationKey?: string;
  defaultActivation?: string;
  /** q/k/v, o_proj and MLP biases. Default: llama's attention_bias (all four) and mlp_bias. */
  biases?(raw: RawConfig, fileName: string): { qkv: boolean; o: boolean; mlp: boolean };
  /** The sliding window, when the config turns it on; null: full attention everywhere. Default: none. */
  slidingWindow?(raw: RawConfig, fileName: string): number | null;
  /** Layer types when config.json has no layer_types. Default: every layer slides when there is a window. */
  defaultLayerTypes?(raw: RawConfig, n: number, window: number | null): string[];
  /** The rotary embedding of a layer type, when the family keeps it outside rope_parameters (older gemma3: rope_local_base_freq). Default: parseRope. */
  rope?(raw: RawConfig, fileName: string, headDim: number, maxPositions: number, layerType: string): RopeSpec;
  /** Whether block i has a rotary embedding (smollm3's no_rope_layers). Default: all. */
  usesRope?(raw: RawConfig, fileName: string, n: number): boolean[];
  /** The config class's defaults for keys config.json may lack (transformers writes them all, hand-made configs may not). */
  defaultTieWordEmbeddings?: boolean;
  defaultNormEps?: number;
  /** Options beyond the llama defaults (norm, q/k norms, fused projections, scales). */
  block?(raw: RawConfig, fileName: string, headDim: number, hiddenSize: number): Partial<HfBlockOptions>;
}

const llamaBiases = (raw: RawConfig, fileName: string): { qkv: boolean; o: boolean; mlp: boolean } => {
  const attention = boolKey(raw, 'attention_bias', fileName, false);
  return { qkv: attention, o: attention, mlp: boolKey(raw, 'mlp_bias', fileName, false) };
};

const ACTIVATIONS: Record<string, HfBlockOptions['activation']> = { silu: 'silu', swish: 'silu', gelu_pytorch_tanh: 'gelu_tanh', gelu_new: 'gelu_tanh' };

/** A positive window, or null when the key is absent or null. */
export function windowKey(raw: RawConfig, fileName: string, key = 'sliding_window'): number | null {
  const w = optionalNumKey(raw, key, fileName);
  if (w !== null && !Number.isSafeInteger(w)) throw invalidConfig(fileName, `"${key}" must be a positive integer, got ${showValue(raw[key])}.`);
  return w;
}

/** qwen2 / qwen3 / smollm3: the window applies only with use_sliding_window, from block max_window_layers on. */
export const qwenSliding: Pick<DecoderRules, 'slidingWindow' | 'defaultLayerTypes'> = {
  slidingWindow: (raw, fileName) => (boolKey(raw, 'use_sliding_window', fileName, false) ? windowKey(raw, fileName) : null),
  defaultLayerTypes: (raw, n, window) => {
    const from = typeof raw.max_window_layers === 'number' ? raw.max_window_layers : 28;
    return Array.from({ length: n }, (_, i) => (window !== null && i >= from ? SLIDING_ATTENTION : FULL_ATTENTION));
  },
};

function layerSpecs(raw: RawConfig, fileName: string, rules: DecoderRules, n: number, headDim: number, maxPositions: number): HfLayerSpec[] {
  const window = rules.slidingWindow?.(raw, fileName) ?? null;
  const types = stringListKey(raw, 'layer_types', fileName, n) ?? rules.defaultLayerTypes?.(raw, n, window) ?? Array.from({ length: n }, () => (window !== null ? SLIDING_ATTENTION : FULL_ATTENTION));
  const rope = rules.usesRope?.(raw, fileName, n) ?? Array.from({ length: n }, () => true);
  const specs = new Map<string, RopeSpec>(); // one spec per layer type, shared by its blocks
  return types.map((type, i) => {
    if (type !== FULL_ATTENTION && type !== SLIDING_ATTENTION)
      throw unsupportedConfig(fileName, `layer_types[${i}] is ${showValue(type)}; only "full_attention" and "sliding_attention" layers are supported.`);
    let spec = specs.get(type);
    if (!spec) {
      spec = (rules.rope ?? parseRope)(raw, fileName, headDim, maxPositions, type);
      specs.set(type, spec);
    }
    return { slidingWindow: type === SLIDING_ATTENTION ? window : null, rope: rope[i] ? spec : null };
  });
}

export function parseDecoderConfig(raw: RawConfig, fileName: string, rules: DecoderRules): HfModelConfig {
  const actKey = rules.activationKey ?? 'hidden_act';
  const act = raw[actKey] ?? rules.defaultActivation ?? 'silu';
  const activation = typeof act === 'string' ? ACTIVATIONS[act] : undefined;
  const allowed = rules.defaultActivation === 'gelu_pytorch_tanh' ? 'gelu_tanh' : 'silu';
  if (activation !== allowed) throw unsupportedConfig(fileName, `${actKey} ${showValue(act)} is not supported; the ${rules.arch} MLP is implemented with ${rules.defaultActivation ?? 'silu'} only.`);
  const hiddenSize = intKey(raw, 'hidden_size', fileName);
  const numHeads = intKey(raw, 'num_attention_heads', fileName);
  const numKvHeads = intKey(raw, 'num_key_value_heads', fileName, numHeads);
  if (numHeads % numKvHeads !== 0) throw invalidConfig(fileName, `num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}.`);
  const defaultHeadDim = hiddenSize % numHeads === 0 ? hiddenSize / numHeads : undefined;
  const headDim = intKey(raw, 'head_dim', fileName, defaultHeadDim);
  const numLayers = intKey(raw, 'num_hidden_layers', fileName);
  const maxPositions = intKey(raw, 'max_position_embeddings', fileName);
  const biases = (rules.biases ?? llamaBiases)(raw, fileName);
  const block: HfBlockOptions = {
    normPlusOne: false,
    qkNorm: false,
    sandwichNorms: false,
    activation: allowed,
    fusedQkv: false,
    fusedGateUp: false,
    embeddingScale: 1,
    attentionScale: 1 / Math.sqrt(headDim),
    attentionSoftcap: null,
    finalSoftcap: null,
    ...rules.block?.(raw, fileName, headDim, hiddenSize),
  };
  return {
    architecture: rules.arch,
    raw,
    vocabSize: intKey(raw, 'vocab_size', fileName),
    hiddenSize,
    numLayers,
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: intKey(raw, 'intermediate_size', fileName),
    maxPositions,
    normEps: numKey(raw, 'rms_norm_eps', fileName, rules.defaultNormEps ?? 1e-6),
    tieWordEmbeddings: boolKey(raw, 'tie_word_embeddings', fileName, rules.defaultTieWordEmbeddings ?? false),
    attentionBias: biases.qkv,
    outputBias: biases.o,
    mlpBias: biases.mlp,
    layers: layerSpecs(raw, fileName, rules, numLayers, headDim, maxPositions),
    block,
    bosTokenId: tokenId(raw, 'bos_token_id'),
    eosTokenId: eosId(raw),
    padTokenId: tokenId(raw, 'pad_token_id'),
  };
}
