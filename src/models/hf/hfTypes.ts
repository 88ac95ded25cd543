/**
 * Shared shapes for Hugging Face causal language models in the engine (issue 4).
 * The model code (gpt2.ts, llama.ts), the PEFT adapter files (lora/hfPeft*.ts), the tokenizer and
 * the training task all meet here. Module paths are Hugging Face's own, without PEFT's
 * `base_model.model.` prefix: `transformer.h.0.attn.c_attn` (gpt2), `model.layers.0.self_attn.q_proj`
 * (llama, qwen2, mistral).
 */
import type { Tensor, Variable } from '../../tf.ts';

export type HfArchitecture = 'gpt2' | 'llama' | 'qwen2' | 'mistral';

/** config.json, normalised across architectures and transformers versions. */
export interface HfModelConfig {
  architecture: HfArchitecture;
  /** The raw config.json, kept to write it back unchanged with a merged model. */
  raw: Record<string, unknown>;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Key/value heads (grouped-query attention); equals numHeads for gpt2. */
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  maxPositions: number;
  /** RMSNorm / LayerNorm epsilon. */
  normEps: number;
  /** Rotary base (llama family); from `rope_theta` or transformers v5's `rope_parameters.rope_theta`. */
  ropeTheta: number;
  tieWordEmbeddings: boolean;
  /** q/k/v (and o for llama's attention_bias) biases: qwen2 has q/k/v biases. */
  attentionBias: boolean;
  mlpBias: boolean;
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
  padTokenId: number | null;
}

/** One linear projection LoRA can attach to, as the plan table lists it. */
export interface LinearModule {
  /** Hugging Face module path, e.g. `model.layers.0.self_attn.q_proj`. */
  path: string;
  /** The last path component (`q_proj`, `c_attn`): what PEFT's target_modules match. */
  name: string;
  /** Block index, or null for modules outside the blocks (lm_head). */
  layer: number | null;
  inFeatures: number;
  outFeatures: number;
  /** gpt2's Conv1D keeps its weight [in, out] (PEFT's fan_in_fan_out: true); nn.Linear keeps [out, in]. */
  fanInFanOut: boolean;
  hasBias: boolean;
}

/**
 * A LoRA adapter on one linear module, in PEFT's layout so export is a straight copy:
 *   y = base(x) + scale * (dropout(x) · Aᵀ) · Bᵀ
 */
export interface LinearLora {
  A: Variable; // [r, in]
  B: Variable; // [out, r]
  r: number;
  alpha: number;
  /** alpha / r, or alpha / sqrt(r) with rsLoRA. */
  scale: number;
  dropout: number;
}

/** Module path -> its adapter. */
export type LmLora = Map<string, LinearLora>;

/** A loaded causal LM: config and weights by Hugging Face tensor name (float32, on the current backend). */
export interface HfCausalLm {
  config: HfModelConfig;
  /** Tensor name (e.g. `model.layers.0.self_attn.q_proj.weight`) -> weight, stored as in the file. */
  weights: Map<string, Variable>;
  /**
   * Vocabulary tables (embedding, lm_head) too big for one GPU buffer, as row chunks in order
   * (rowChunks.ts); a name here is not in `weights`. Absent when every table fits.
   */
  rowChunks?: Map<string, Variable[]>;
  modules: LinearModule[];
}

/** Past keys and values for incremental decoding, one entry per block. */
export interface KvCache {
  keys: Tensor[]; // each [B, kvHeads, Tpast, headDim]
  values: Tensor[]; // each [B, kvHeads, Tpast, headDim]
  length: number;
}
