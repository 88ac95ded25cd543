/**
 * Shared shapes for Hugging Face causal language models in the engine (issue 4).
 * The model code (gpt2.ts, llama.ts), the PEFT adapter files (lora/hfPeft*.ts), the tokenizer and
 * the training task all meet here. Module paths are Hugging Face's own, without PEFT's
 * `base_model.model.` prefix: `transformer.h.0.attn.c_attn` (gpt2), `model.layers.0.self_attn.q_proj`
 * (llama, qwen2, mistral).
 */
import type { Tensor, Variable } from '../../tf.ts';

/** config.json's model_type of every family the registry (hfFamilies.ts) can hold. */
export type HfArchitecture = 'gpt2' | 'llama' | 'qwen2' | 'mistral' | 'qwen3' | 'phi3' | 'smollm3' | 'gemma3_text' | 'gemma2';

/**
 * Rotary embedding of one block, as transformers' modeling_rope_utils computes it for the config:
 * the inverse frequencies of the first `dim` dimensions of each head and the factor cos and sin are
 * multiplied by (yarn, longrope).
 */
export interface RopeSpec {
  /** transformers' rope_type ('default', 'linear', 'dynamic', 'yarn', 'llama3', 'longrope'). */
  type: string;
  /** Rotated dimensions per head (head_dim x partial_rotary_factor); the rest pass through. */
  dim: number;
  /** [dim / 2], float32 as torch computes them. */
  invFreq: Float32Array;
  /** cos and sin are multiplied by this (yarn's and longrope's attention factor; 1 otherwise). */
  attentionScaling: number;
  /** longrope: from this sequence length on, these frequencies and scaling replace the short ones. */
  long?: { fromLength: number; invFreq: Float32Array };
}

/** What differs between blocks: the attention window and the rotary embedding (null: none, smollm3's NoPE layers). */
export interface HfLayerSpec {
  /** Keys further back than this many positions (query included) are masked; null: full causal attention. */
  slidingWindow: number | null;
  rope: RopeSpec | null;
}

/** How the blocks of a family compute, beyond the shapes: everything a family entry sets. */
export interface HfBlockOptions {
  /** RMSNorm multiplies by (1 + weight) (gemma) instead of weight. */
  normPlusOne: boolean;
  /** RMSNorm over each head's q and k before rotary (`self_attn.q_norm`, `k_norm`: qwen3, gemma3). */
  qkNorm: boolean;
  /** gemma: the attention and MLP outputs are normed before the residual add (post_attention_layernorm, post_feedforward_layernorm) and the MLP input by pre_feedforward_layernorm. */
  sandwichNorms: boolean;
  /** The gated MLP's activation: act(gate) * up. */
  activation: 'silu' | 'gelu_tanh';
  /** One `qkv_proj` [q; k; v] instead of q/k/v_proj (phi3). */
  fusedQkv: boolean;
  /** One `gate_up_proj` [gate; up] instead of gate/up_proj (phi3). */
  fusedGateUp: boolean;
  /** Token embeddings are multiplied by this (gemma: sqrt(hidden_size) in the weights' dtype); 1 otherwise. */
  embeddingScale: number;
  /** Attention scores are multiplied by this: 1/sqrt(head_dim), or query_pre_attn_scalar^-0.5 (gemma). */
  attentionScale: number;
  /** softcap * tanh(scores / softcap) before the mask (gemma2); null: none. */
  attentionSoftcap: number | null;
  /** The same on the final logits (gemma2); null: none. */
  finalSoftcap: number | null;
}

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
  tieWordEmbeddings: boolean;
  /** q/k/v biases (qwen2 always; llama, qwen3, gemma with attention_bias). */
  attentionBias: boolean;
  /** o_proj bias (llama, qwen3, gemma with attention_bias; never qwen2). */
  outputBias: boolean;
  mlpBias: boolean;
  /** One entry per block. */
  layers: HfLayerSpec[];
  block: HfBlockOptions;
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
  /** The projections a fused module stacks along its output, in order (phi3's qkv_proj: q_proj, k_proj, v_proj); absent for a plain one. */
  fuses?: string[];
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
  /** Frozen weights held as float16 pairs on WebGPU (halfWeights.ts); absent when none is. */
  half?: HalfStorage;
}

/** Values of a float16-held weight that float16 does not hold bit for bit: flat indices and exact values. */
export interface HalfExact {
  index: Int32Array;
  values: Float32Array;
}

/** What float16 storage did to a loaded model: read by exports and shown in the load summary. */
export interface HalfStorage {
  /** Per packed variable (a whole weight or one row chunk): its source values float16 rounds, kept exact for export. */
  exact: Map<Variable, HalfExact>;
  /** Weights eligible for float16 that stay float32 because a value overflows float16, with the count of such values. */
  keptFloat32: Map<string, number>;
  /** Values rounded in the GPU copy (the exact ones are in `exact`, unless float16 was forced on F32 weights). */
  rounded: number;
}

/** Past keys and values for incremental decoding, one entry per block. */
export interface KvCache {
  keys: Tensor[]; // each [B, kvHeads, Tpast, headDim]
  values: Tensor[]; // each [B, kvHeads, Tpast, headDim]
  length: number;
}
