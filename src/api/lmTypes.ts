/**
 * The causal-LM task's contract (Hugging Face causal LMs with LoRA): plain data only. A loaded
 * language model and a loaded classifier live side by side in one session.
 */
import type { PreferenceMetrics } from './preferenceTypes.ts';
import type { DatasetFile, EvalPoint, RunResultBase, StepPoint, TrainPlan } from './trainTypes.ts';

/** config.json's model_type (the engine's model registry lists the families it runs). */
export type LmArchitecture = 'gpt2' | 'llama' | 'qwen2' | 'mistral' | 'qwen3' | 'phi3' | 'smollm3' | 'gemma3_text' | 'gemma2';

/** Where a Hugging Face model comes from. */
export type LmModelSource =
  /** A Hub model id ("HuggingFaceTB/SmolLM2-135M") or a https URL of the folder (".../resolve/main/"), fetched with progress and cached. */
  | { kind: 'hub'; id: string; revision?: string }
  | { kind: 'url'; url: string }
  /** A dropped or picked folder: config.json, model.safetensors (or index + shards), tokenizer.json, tokenizer_config.json. */
  | { kind: 'files'; files: DatasetFile[] };

/** How a model is loaded. */
export interface LmLoadOptions {
  /**
   * Frozen weights on WebGPU: 'auto' (default) holds the projections and vocabulary tables of an
   * F16/BF16 checkpoint as float16 (half the GPU memory; exports stay exact), 'float16' forces it
   * (F32 checkpoints too, rounded), 'float32' never. Other backends always use float32.
   */
  weightStorage?: 'auto' | 'float16' | 'float32';
}

/** One linear projection LoRA can attach to. */
export interface LmModuleSummary {
  /** Hugging Face module path, e.g. "model.layers.0.self_attn.q_proj" or "transformer.h.0.attn.c_attn". */
  path: string;
  /** Last path component, what PEFT's target_modules match: "q_proj", "c_attn". */
  name: string;
  /** Block index; null outside the blocks. */
  layer: number | null;
  inFeatures: number;
  outFeatures: number;
  /** Weights (and bias) of the projection. */
  params: number;
  /** A fused projection's parts, in order ("q_proj", "k_proj", "v_proj" for phi3's qkv_proj): one module, one LoRA pair. */
  fuses?: string[];
}

export interface LmModelSummary {
  name: string;
  architecture: LmArchitecture;
  /** The family as people name it ("Qwen3", "Phi-3 / Phi-4"), shown beside the model name. */
  family: string;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  contextLength: number;
  totalParams: number;
  /** Bytes the weights take on the device (float32, or float16 where LmLoadOptions.weightStorage holds them so). */
  weightBytes: number;
  /** Weights held as float16 (LmLoadOptions.weightStorage); 0 when all are float32. */
  float16Weights: number;
  modules: LmModuleSummary[];
  /** Distinct projection names in block order ("q_proj", "k_proj", ...): the plan table's columns. */
  projectionNames: string[];
  /** PEFT's default target_modules for this family (gpt2: c_attn; llama, qwen, mistral, gemma: q_proj, v_proj; phi3: qkv_proj, o_proj, gate_up_proj, down_proj). */
  defaultTargets: string[];
  /** Whether tokenizer_config.json (or chat_template.jinja) has a chat template; else a ChatML default is used. */
  hasChatTemplate: boolean;
}

export interface LmPlanSummary {
  plan: TrainPlan;
  /** Counted as PEFT counts them: r x (in + out) per LoRA module, plus whole fully-trained modules. */
  trainableParams: number;
  totalParams: number;
  /**
   * Bytes at the peak of a training step (hfMemory.ts estimateLmTrainMemory): weights, gradients +
   * AdamW state of the trainable parameters, activations at the batch size and length, the chunked loss.
   */
  memoryBytes: number;
  /** Whether the run will recompute activations (gradient checkpointing), as decided from the estimate. */
  gradientCheckpointing: boolean;
  /** What the backend can hold (WASM: 90% of its 4 GiB heap), or null when unknown. */
  memoryBudgetBytes: number | null;
}

export type LmDataFormat = 'plain-text' | 'text' | 'prompt-completion' | 'chat' | 'alpaca';

export interface LmDatasetOptions {
  /** Tokens per row (default 128, at most the model's context length). */
  maxLength: number;
  /** Concatenate examples into full rows of maxLength tokens. */
  packing: boolean;
  /** Also train on prompts and user/system turns (default: completions and assistant turns only). */
  trainOnPrompt: boolean;
  validationFraction: number;
  seed: number;
}

export interface LmDatasetSummary {
  name: string;
  format: LmDataFormat;
  /** Rows after packing or truncation. */
  examples: number;
  train: number;
  validation: number;
  totalTokens: number;
  /** Tokens the loss is computed on. */
  trainedTokens: number;
  /** Examples cut at maxLength. */
  truncated: number;
  /** Token lengths of the examples as tokenized (before truncation or packing). */
  histogram: { bins: { start: number; end: number; count: number }[]; above: number; maxLength: number; longest: number; mean: number };
  /** Skipped lines, with their 1-based line numbers. */
  issues: { line: number; message: string }[];
  badLines: number;
  /** Lines in the file, blank ones included: with `records` and `recordsUsed`, what was read and what was used. */
  linesInFile: number;
  /** JSONL: non-blank lines; plain text: 1 (the whole file is one document). */
  records: number;
  /** Records that became examples (before packing or truncation, which `examples` counts after). */
  recordsUsed: number;
  options: LmDatasetOptions;
}

export const DEFAULT_LM_DATASET_OPTIONS: LmDatasetOptions = { maxLength: 128, packing: false, trainOnPrompt: false, validationFraction: 0.1, seed: 42 };

/** A language-model run's result: the common part and the base model's loss for comparison. */
export interface LmTrainResult extends RunResultBase {
  task: 'lm';
  /** Validation loss of the base model (adapter strength 0) on the same rows, for comparison (a preference run: of its reference). */
  baseValidationLoss: number;
  /** Preference runs: TRL's metrics on the validation pairs after the run (null without validation pairs). */
  preference?: { validation: PreferenceMetrics | null };
}

export interface GenerateRequest {
  prompt: string;
  /** Wrap the prompt as a user turn with the chat template (and a generation prompt). */
  chat: boolean;
  maxNewTokens: number;
  /** 0 = greedy. */
  temperature: number;
  /** 0 = off. */
  topK: number;
  /** 1 = off. */
  topP: number;
  seed: number;
  /** 'base' runs without the adapter; 'adapted' with it at the current adapter strength. */
  model: 'base' | 'adapted';
  /** Matches the lmToken events of this generation. */
  requestId: number;
}

export interface GenerateResult {
  requestId: number;
  text: string;
  tokens: number;
  /** Why it stopped: the end-of-sequence token, maxNewTokens, or the context length. */
  finish: 'eos' | 'length' | 'context';
}

/** A downloadable set of files (PEFT adapter, or a merged Hugging Face folder), also zipped. */
export interface LmExport {
  name: string;
  files: Record<string, Uint8Array>;
  zip: Uint8Array;
}

/** Options of a job export ("Run on a cluster"). */
export interface LmJobOptions {
  /** The model folder on this machine, written into job.json so the job finds it here (the command line knows it; the studio does not). */
  localModelPath?: string | null;
}

/** A job's output folder taken back: its adapter is applied, its loss history is the run's. */
export interface LmJobImport {
  plan: TrainPlan;
  /** Validation loss of the loaded dataset with the job's adapter. */
  validationLoss: number;
  /** trainer_state.json's log_history: training loss per step and validation loss per evaluation. */
  history: { steps: StepPoint[]; evals: EvalPoint[] };
  /** job_result.json: processes the job ran on, optimizer steps, last training loss. */
  worldSize: number;
  steps: number;
  finalLoss: number;
}
