/**
 * Transformers with random weights in Hugging Face layouts, for the benchmarks (scripts/bench.ts,
 * scripts/benchLmStep.ts): GPT-2- and SmolLM2-135M-shaped configs (0 in a shape field: the real
 * model's value), seeded normal(0, 0.02) weights, and LoRA r=8 on the attention projections.
 */
import { createRng, type Rng } from '../src/data/rng.ts';
import type { TrainPlan } from '../src/lora/hfPeftTargets.ts';
import { parseHfConfig } from '../src/models/hf/hfConfig.ts';
import { packHalves, wantsHalf } from '../src/models/hf/halfWeights.ts';
import { embeddingName, expectedHfTensors, hfLinearModules, LM_HEAD } from '../src/models/hf/hfLayout.ts';
import type { HfCausalLm, LmLora } from '../src/models/hf/hfTypes.ts';
import { chunkedCausalLmLoss } from '../src/lm/chunkedCrossEntropy.ts';
import { causalLmHidden, lmHeadOf } from '../src/models/hf/causalLmLogits.ts';
import { tf, type Scalar, type Tensor2D, type Variable } from '../src/tf.ts';

export interface LmShape {
  layers: number;
  hidden: number;
  vocab: number;
  seq: number;
  batch: number;
}

export function gpt2Config(shape: LmShape): Record<string, unknown> {
  const full = { n_layer: 12, n_embd: 768, n_head: 12, vocab_size: 50257 };
  const hidden = shape.hidden || full.n_embd;
  return {
    model_type: 'gpt2',
    n_layer: shape.layers || full.n_layer,
    n_embd: hidden,
    n_head: Math.max(1, hidden / 64),
    vocab_size: shape.vocab || full.vocab_size,
    n_positions: 1024,
    tie_word_embeddings: false,
  };
}

export function smolConfig(shape: LmShape): Record<string, unknown> {
  const hidden = shape.hidden || 576;
  const heads = Math.max(1, hidden / 64);
  return {
    model_type: 'llama',
    num_hidden_layers: shape.layers || 30,
    hidden_size: hidden,
    num_attention_heads: heads,
    num_key_value_heads: Math.max(1, Math.round(heads / 3)),
    intermediate_size: shape.hidden ? Math.round((hidden * 8) / 3) : 1536,
    vocab_size: shape.vocab || 49152,
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-5,
    rope_theta: 100000,
    tie_word_embeddings: false,
  };
}

export function normal(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rng(), 1e-12);
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * `float16`: the projections and vocabulary tables held as float16 pairs, as loadHfCausalLm holds
 * those of an F16/BF16 checkpoint on WebGPU (halfWeights.ts); WebGPU only.
 */
export function randomLm(raw: Record<string, unknown>, seed: number, { float16 = false } = {}): HfCausalLm {
  const config = parseHfConfig(raw, 'config.json');
  const rng = createRng(seed);
  const weights = new Map<string, Variable>();
  const modules = hfLinearModules(config);
  const packable = new Set([embeddingName(config), LM_HEAD, ...modules.map((m) => `${m.path}.weight`)]);
  for (const [name, shape] of expectedHfTensors(config)) {
    const size = shape.reduce((p, d) => p * d, 1);
    const isNorm = /(ln_\d|ln_f|norm|layernorm)\.weight$/.test(name);
    const values = name.endsWith('.bias') ? new Float32Array(size) : isNorm ? new Float32Array(size).fill(1) : normal(rng, size, 0.02);
    const half = wantsHalf(float16 ? 'float16' : 'float32', 'F32', shape, packable.has(name));
    const t = half ? tf.tensor(packHalves(values, { keepExact: false }).words, [shape[0]!, shape[1]! / 2], 'int32') : tf.tensor(values, shape);
    weights.set(name, tf.variable(t, false));
    t.dispose();
  }
  return { config, weights, modules };
}

/** LoRA r=8 (alpha 16) on the modules whose path matches `targets` (default: every attention projection). */
export function attentionPlan(lm: HfCausalLm, targets = /\.(attn\.c_attn|attn\.c_proj|self_attn\.[qkvo]_proj)$/): TrainPlan {
  const plan: TrainPlan = {};
  for (const m of lm.modules) {
    const attn = targets.test(m.path);
    plan[m.path] = attn ? { kind: 'lora', r: 8, alpha: 16, dropout: 0 } : { kind: 'frozen' };
  }
  return plan;
}


/**
 * The loss of a LoRA step as the product computes it (src/lm/lmLoopSpec.ts): the final hidden states,
 * then the chunked cross-entropy (no [B, T, V] logits held), optionally with gradient checkpointing.
 */
export function loraStepLoss(lm: HfCausalLm, ids: Tensor2D, labels: Int32Array, lora: LmLora, recompute = false): Scalar {
  const { hidden } = causalLmHidden(lm, ids, { lora, training: true, recompute }); // [B*T, C]
  return chunkedCausalLmLoss(hidden, lmHeadOf(lm), labels).loss;
}

/** The middle value (the mean of the two middle ones for an even count): every benchmark's summary of its steps. */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The model shapes the side-by-side benchmarks use (scripts/benchLmStep.ts, scripts/benchTorch.py). */
export interface ModelPreset {
  arch: 'llama' | 'qwen2' | 'gpt2';
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  vocab: number;
  tie: boolean;
  /** PEFT target module names of the LoRA r=8 step. */
  targets: string[];
}

export const PRESETS: Record<string, ModelPreset> = {
  'smollm2-135m': { arch: 'llama', layers: 30, hidden: 576, heads: 9, kvHeads: 3, intermediate: 1536, vocab: 49152, tie: true, targets: ['q_proj', 'v_proj'] },
  'gpt2-124m': { arch: 'gpt2', layers: 12, hidden: 768, heads: 12, kvHeads: 12, intermediate: 3072, vocab: 50257, tie: true, targets: ['c_attn'] },
  'qwen2.5-0.5b': { arch: 'qwen2', layers: 24, hidden: 896, heads: 14, kvHeads: 2, intermediate: 4864, vocab: 151936, tie: true, targets: ['q_proj', 'v_proj'] },
  // For trying the scripts on SwiftShader: every preset's structure at toy size.
  tiny: { arch: 'llama', layers: 2, hidden: 64, heads: 4, kvHeads: 2, intermediate: 128, vocab: 512, tie: false, targets: ['q_proj', 'v_proj'] },
};

/** An HF config.json object for a preset. */
export function presetConfig(p: ModelPreset): Record<string, unknown> {
  if (p.arch === 'gpt2') return { model_type: 'gpt2', n_layer: p.layers, n_embd: p.hidden, n_head: p.heads, vocab_size: p.vocab, n_positions: 1024, tie_word_embeddings: p.tie };
  return {
    model_type: p.arch,
    num_hidden_layers: p.layers,
    hidden_size: p.hidden,
    num_attention_heads: p.heads,
    num_key_value_heads: p.kvHeads,
    intermediate_size: p.intermediate,
    vocab_size: p.vocab,
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: p.tie,
  };
}

/** LoRA on the modules whose last path part is one of `names` (as PEFT's target_modules). */
export function targetsPattern(names: string[]): RegExp {
  return new RegExp(`\\.(${names.join('|')})$`);
}
