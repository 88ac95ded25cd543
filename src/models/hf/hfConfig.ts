/**
 * config.json of a Hugging Face causal LM -> HfModelConfig. Only the architectures whose forward pass
 * we implement (gpt2, llama, qwen2, mistral) are accepted, and any setting that would change the maths
 * in a way we do not reproduce (scaled rotary embeddings, other activations, gpt2 attention variants)
 * is refused here, before a single weight is read, so a model never silently gives wrong logits.
 */
import { EngineError, showValue } from '../../errors.ts';
import type { HfArchitecture, HfModelConfig } from './hfTypes.ts';

const ARCHITECTURES: readonly HfArchitecture[] = ['gpt2', 'llama', 'qwen2', 'mistral'];

type Raw = Record<string, unknown>;

function invalid(fileName: string, message: string): EngineError {
  return new EngineError('hf-config-invalid', `${fileName}: ${message}`);
}

function intKey(raw: Raw, key: string, fileName: string, fallback?: number): number {
  const v = raw[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw invalid(fileName, `the key "${key}" is missing; it is needed to build the model. Use the config.json that came with the weights.`);
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
    throw invalid(fileName, `"${key}" must be a positive integer, got ${showValue(v)}.`);
  return v;
}

function numKey(raw: Raw, key: string, fileName: string, fallback?: number): number {
  const v = raw[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw invalid(fileName, `the key "${key}" is missing; it is needed to build the model. Use the config.json that came with the weights.`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw invalid(fileName, `"${key}" must be a positive number, got ${showValue(v)}.`);
  return v;
}

function boolKey(raw: Raw, key: string, fileName: string, fallback: boolean): boolean {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw invalid(fileName, `"${key}" must be true or false, got ${showValue(v)}.`);
  return v;
}

function tokenId(raw: Raw, key: string): number | null {
  const v = raw[key];
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

function eosId(raw: Raw): number | number[] | null {
  const v = raw.eos_token_id;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x))) return v as number[];
  return null;
}

/**
 * Rotary base from `rope_theta` (transformers <= 4) or `rope_parameters.rope_theta` (transformers 5).
 * Scaled variants (linear, dynamic, yarn, llama3, ...) change the frequencies; we refuse them rather
 * than run them as plain rope.
 */
function ropeTheta(raw: Raw, fileName: string): number {
  const params = raw.rope_parameters ?? raw.rope_scaling;
  let theta: unknown = raw.rope_theta;
  if (params !== undefined && params !== null) {
    if (typeof params !== 'object' || Array.isArray(params)) throw invalid(fileName, '"rope_parameters" must be an object.');
    const p = params as Raw;
    const type = p.rope_type ?? p.type;
    if (type !== undefined && type !== null && type !== 'default')
      throw invalid(fileName, `rope_type ${showValue(type)} (scaled rotary embeddings) is not supported; only the default rotary embedding is. Choose a model without rope scaling.`);
    if (p.rope_theta !== undefined) theta = p.rope_theta;
    if (p.partial_rotary_factor !== undefined && p.partial_rotary_factor !== 1)
      throw invalid(fileName, `partial_rotary_factor ${showValue(p.partial_rotary_factor)} is not supported; only full rotary embeddings are.`);
  }
  if (theta === undefined || theta === null) return 10000; // transformers' default base
  if (typeof theta !== 'number' || !Number.isFinite(theta) || theta <= 0)
    throw invalid(fileName, `rope_theta must be a positive number, got ${showValue(theta)}.`);
  return theta;
}

function parseGpt2(raw: Raw, fileName: string): HfModelConfig {
  const act = raw.activation_function ?? 'gelu_new';
  if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh')
    throw invalid(fileName, `activation_function ${showValue(act)} is not supported for gpt2; only gelu_new (the tanh approximation) is.`);
  if (raw.scale_attn_by_inverse_layer_idx === true)
    throw invalid(fileName, 'scale_attn_by_inverse_layer_idx is not supported; only standard gpt2 attention scaling is.');
  if (raw.scale_attn_weights === false) throw invalid(fileName, 'scale_attn_weights false is not supported; gpt2 attention is scaled by 1/sqrt(head_dim).');
  if (raw.add_cross_attention === true) throw invalid(fileName, 'add_cross_attention is not supported; choose a decoder-only gpt2.');
  const hiddenSize = intKey(raw, 'n_embd', fileName);
  const numHeads = intKey(raw, 'n_head', fileName);
  if (hiddenSize % numHeads !== 0) throw invalid(fileName, `n_embd ${hiddenSize} is not divisible by n_head ${numHeads}.`);
  return {
    architecture: 'gpt2',
    raw,
    vocabSize: intKey(raw, 'vocab_size', fileName),
    hiddenSize,
    numLayers: intKey(raw, 'n_layer', fileName),
    numHeads,
    numKvHeads: numHeads,
    headDim: hiddenSize / numHeads,
    intermediateSize: intKey(raw, 'n_inner', fileName, 4 * hiddenSize),
    maxPositions: intKey(raw, 'n_positions', fileName),
    normEps: numKey(raw, 'layer_norm_epsilon', fileName, 1e-5),
    ropeTheta: 0, // learned positions, no rotary embedding
    tieWordEmbeddings: boolKey(raw, 'tie_word_embeddings', fileName, true),
    attentionBias: true,
    mlpBias: true,
    bosTokenId: tokenId(raw, 'bos_token_id'),
    eosTokenId: eosId(raw),
    padTokenId: tokenId(raw, 'pad_token_id'),
  };
}

function parseLlamaFamily(arch: HfArchitecture, raw: Raw, fileName: string): HfModelConfig {
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu') throw invalid(fileName, `hidden_act ${showValue(act)} is not supported; the ${arch} MLP is implemented with silu only.`);
  const hiddenSize = intKey(raw, 'hidden_size', fileName);
  const numHeads = intKey(raw, 'num_attention_heads', fileName);
  const numKvHeads = intKey(raw, 'num_key_value_heads', fileName, numHeads);
  if (numHeads % numKvHeads !== 0)
    throw invalid(fileName, `num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}.`);
  const defaultHeadDim = hiddenSize % numHeads === 0 ? hiddenSize / numHeads : undefined;
  const headDim = intKey(raw, 'head_dim', fileName, defaultHeadDim);
  if (headDim % 2 !== 0) throw invalid(fileName, `head_dim ${headDim} must be even for rotary embeddings.`);
  let maxPositions = intKey(raw, 'max_position_embeddings', fileName);
  // Sliding-window attention only differs from full attention on sequences longer than the window, so
  // capping the usable length at the window keeps our full attention exact instead of refusing the model.
  const window = raw.sliding_window;
  const windowOn = arch === 'mistral' || (arch === 'qwen2' && raw.use_sliding_window === true);
  if (windowOn && typeof window === 'number' && window > 0) maxPositions = Math.min(maxPositions, window);
  return {
    architecture: arch,
    raw,
    vocabSize: intKey(raw, 'vocab_size', fileName),
    hiddenSize,
    numLayers: intKey(raw, 'num_hidden_layers', fileName),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: intKey(raw, 'intermediate_size', fileName),
    maxPositions,
    normEps: numKey(raw, 'rms_norm_eps', fileName, 1e-6),
    ropeTheta: ropeTheta(raw, fileName),
    tieWordEmbeddings: boolKey(raw, 'tie_word_embeddings', fileName, false),
    // qwen2 always has q/k/v biases (and no o_proj bias); mistral never has biases.
    attentionBias: arch === 'qwen2' ? true : arch === 'llama' ? boolKey(raw, 'attention_bias', fileName, false) : false,
    mlpBias: arch === 'llama' ? boolKey(raw, 'mlp_bias', fileName, false) : false,
    bosTokenId: tokenId(raw, 'bos_token_id'),
    eosTokenId: eosId(raw),
    padTokenId: tokenId(raw, 'pad_token_id'),
  };
}

/** Parses and checks config.json. `fileName` labels error messages (e.g. `Qwen/Qwen2-0.5B/config.json`). */
export function parseHfConfig(json: unknown, fileName = 'config.json'): HfModelConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw invalid(fileName, 'is not a JSON object.');
  const raw = json as Raw;
  const type = raw.model_type;
  if (typeof type !== 'string')
    throw invalid(fileName, 'has no "model_type"; it must name the architecture (gpt2, llama, qwen2 or mistral).');
  if (!(ARCHITECTURES as readonly string[]).includes(type))
    throw new EngineError('hf-model-unsupported', `${fileName}: model_type "${type}" is not supported; choose a gpt2, llama, qwen2 or mistral model.`);
  const arch = type as HfArchitecture;
  return arch === 'gpt2' ? parseGpt2(raw, fileName) : parseLlamaFamily(arch, raw, fileName);
}

/** Whether the architecture has the gpt2 layout (learned positions, LayerNorm, Conv1D) or the llama one. */
export function isGpt2(config: HfModelConfig): boolean {
  return config.architecture === 'gpt2';
}
