/**
 * The engine's contract for language models (Hugging Face causal LMs with LoRA): plain data only,
 * re-exported by api.ts. The image/table contract (api.ts) and this one share the engine, the
 * worker and the events; a loaded language model and a loaded image/table model live side by side.
 */
import type { CheckpointSettings, DatasetFile, RollbackReport } from './api.ts';

export type LmArchitecture = 'gpt2' | 'llama' | 'qwen2' | 'mistral';

/** Where a Hugging Face model comes from. */
export type LmModelSource =
  /** A Hub model id ("HuggingFaceTB/SmolLM2-135M") or a https URL of the folder (".../resolve/main/"), fetched with progress and cached. */
  | { kind: 'hub'; id: string; revision?: string }
  | { kind: 'url'; url: string }
  /** A dropped or picked folder: config.json, model.safetensors (or index + shards), tokenizer.json, tokenizer_config.json. */
  | { kind: 'files'; files: DatasetFile[] };

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
}

export interface LmModelSummary {
  name: string;
  architecture: LmArchitecture;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  contextLength: number;
  totalParams: number;
  /** Bytes the weights take as float32 on the device. */
  weightBytes: number;
  modules: LmModuleSummary[];
  /** Distinct projection names in block order ("q_proj", "k_proj", ...): the plan table's columns. */
  projectionNames: string[];
  /** PEFT's default target_modules for this architecture (gpt2: c_attn; llama family: q_proj, v_proj). */
  defaultTargets: string[];
  /** Whether tokenizer_config.json (or chat_template.jinja) has a chat template; else a ChatML default is used. */
  hasChatTemplate: boolean;
}

export type LmModuleMode =
  | { kind: 'frozen' }
  | { kind: 'full' }
  | { kind: 'lora'; r: number; alpha: number; dropout?: number; rslora?: boolean };

/** Module path -> mode; modules not named are frozen. */
export type LmPlan = Record<string, LmModuleMode>;

export interface LmPlanSummary {
  plan: LmPlan;
  /** Counted as PEFT counts them: r x (in + out) per LoRA module, plus whole fully-trained modules. */
  trainableParams: number;
  totalParams: number;
  /** Bytes: weights, gradients + AdamW state of the trainable parameters, and an activation estimate at the batch size and length. */
  memoryBytes: number;
}

export type LmDataFormat = 'plain-text' | 'text' | 'prompt-completion' | 'chat' | 'alpaca';

export interface LmDatasetOptions {
  /** Tokens per row (default 256, at most the model's context length). */
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
  options: LmDatasetOptions;
}

export interface LmTrainConfig {
  learningRate: number;
  /** Rows per micro-batch. */
  batchSize: number;
  /** Micro-batches per optimizer step (effective batch = batchSize x gradAccumulation). */
  gradAccumulation: number;
  /** Optimizer steps. */
  steps: number;
  warmupSteps: number;
  schedule: 'constant' | 'cosine' | 'linear';
  weightDecay: number;
  /** Global-norm clipping; 0 turns it off. */
  clipNorm: number;
  /** Validation loss (and sample generations) every N steps, and at the end. */
  evalEvery: number;
  /** Stop after this many evaluations without improvement; 0: never. */
  earlyStoppingPatience: number;
  seed: number;
  /** Prompts generated from at each evaluation (greedy, short); [] for none. */
  samplePrompts: string[];
  /** Start from the last run's adapters (same plan) instead of fresh ones. */
  continueFromLastRun?: boolean;
  /** Save a checkpoint every N steps and every M seconds; absent: none. */
  checkpoint?: CheckpointSettings;
  /** Carry on a saved run from its latest checkpoint (its settings and plan; the same model and dataset must be loaded). */
  resumeFrom?: string;
}

export const DEFAULT_LM_TRAIN_CONFIG: LmTrainConfig = {
  learningRate: 2e-3,
  batchSize: 4,
  gradAccumulation: 1,
  steps: 60,
  warmupSteps: 6,
  schedule: 'cosine',
  weightDecay: 0,
  clipNorm: 1,
  evalEvery: 20,
  earlyStoppingPatience: 0,
  seed: 42,
  samplePrompts: [],
};

export const DEFAULT_LM_DATASET_OPTIONS: LmDatasetOptions = { maxLength: 128, packing: false, trainOnPrompt: false, validationFraction: 0.1, seed: 42 };

export interface LmStepPoint {
  step: number;
  loss: number;
  learningRate: number;
  /** Training tokens (real, not padding) per second over the run so far. */
  tokensPerSecond: number;
}

export interface LmEvalPoint {
  step: number;
  validationLoss: number;
  /** Greedy continuations of the sample prompts with the adapter as it is at this step. */
  samples: { prompt: string; text: string }[];
}

export interface LmTrainResult {
  state: 'done' | 'stopped';
  stoppedEarly: boolean;
  steps: number;
  finalLoss: number;
  evals: LmEvalPoint[];
  /** Validation loss of the base model (adapter strength 0) on the same rows, for comparison. */
  baseValidationLoss: number;
  /** The run id its checkpoints are saved under (absent when none were saved). */
  runId?: string;
  /** Set when a NaN or infinite loss stopped the run. */
  rolledBack?: RollbackReport;
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

export type LmEngineEvent =
  | { type: 'lmStep'; point: LmStepPoint; totalSteps: number; elapsedMs: number }
  | { type: 'lmEval'; point: LmEvalPoint }
  | { type: 'lmToken'; requestId: number; text: string };

/** The language-model half of the engine (EngineApi extends it). */
export interface LmEngineApi {
  /** Loads config, weights and tokenizer (progress events, task 'load-model'); refuses with a sentence when it will not fit. */
  lmLoadModel(source: LmModelSource): Promise<LmModelSummary>;
  /** Reads .txt or .jsonl ({"text"}, {"prompt","completion"}, {"messages"}, Alpaca) with the loaded tokenizer. */
  lmImportText(name: string, file: Blob, options: LmDatasetOptions): Promise<LmDatasetSummary>;
  lmSetPlan(plan: LmPlan, batchSize: number, maxLength: number): Promise<LmPlanSummary>;
  lmTrain(config: LmTrainConfig): Promise<LmTrainResult>;
  /** Streams lmToken events, then resolves with the whole text. stop() ends a generation too. */
  lmGenerate(request: GenerateRequest): Promise<GenerateResult>;
  /** Scales the LoRA update (0 = base, 1 = as trained) for generation and export; returns the validation loss there. */
  lmSetAdapterStrength(strength: number): Promise<{ strength: number; validationLoss: number }>;
  /** adapter_config.json + adapter_model.safetensors as PEFT writes them (at the current strength). */
  lmExportAdapter(): Promise<LmExport>;
  /** The base with the adapter merged at the current strength: config.json, model.safetensors, tokenizer files. */
  lmExportMerged(): Promise<LmExport>;
  /** Applies a PEFT adapter (made here or by Python PEFT) to the loaded model: try it, export it or train on from it. */
  lmImportAdapter(files: DatasetFile[]): Promise<{ plan: LmPlan; validationLoss: number }>;
}
