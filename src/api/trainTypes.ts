import type { PreferenceSettings } from './preferenceTypes.ts';

/**
 * What every run shares, whatever its task: the plan, the training settings (named once), the
 * points the loop reports and the result's common part. Plain data (structured-cloneable).
 */

/** One file of a dropped dataset; `path` is relative to the dropped folder, e.g. "shapes/star/003.png". */
export interface DatasetFile {
  path: string;
  file: Blob;
}

/** The kinds of model a session trains; every event and result about a run names its task. */
export type TaskKind = 'classifier' | 'lm';

/** What happens to one layer (classifier) or projection (language model). Modules a plan does not name are frozen. */
export type ModuleMode =
  | { kind: 'frozen' }
  /** Trained in full: a trainable copy of its weights. */
  | { kind: 'full' }
  | { kind: 'lora'; r: number; alpha: number; dropout?: number; rslora?: boolean };

/**
 * Module name -> mode: TF.js layer names for the classifier ("dense_1"), Hugging Face module paths
 * for a language model ("model.layers.0.self_attn.q_proj"). The empty plan trains a new head only
 * (classifier) or nothing (language model).
 */
export type TrainPlan = Record<string, ModuleMode>;

/** Learning-rate schedule, as transformers' get_{cosine,linear}_schedule_with_warmup. */
export type LrSchedule = { kind: 'constant' } | { kind: 'cosine' | 'linear'; warmupSteps: number; minLrRatio?: number };

export interface CheckpointSettings {
  everySteps: number;
  everySeconds: number;
}

export const DEFAULT_CHECKPOINT_SETTINGS: CheckpointSettings = { everySteps: 100, everySeconds: 60 };

/** The settings every task's run has, named once; validated at the session's boundary (validateTrainConfig). */
export interface TrainSettings {
  learningRate: number;
  /** Rows per batch (per micro-batch when gradients are accumulated). */
  batchSize: number;
  /** AdamW's decoupled weight decay. */
  weightDecay: number;
  seed: number;
  /** Default: constant. */
  schedule?: LrSchedule;
  /** Clip gradients to this global L2 norm (torch's clip_grad_norm_); 0 or absent: no clipping. */
  clipNorm?: number;
  /** Stop after `patience` evaluations without an improvement of the validation loss by minDelta; absent or 0: never. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Start from the task's last run (same plan) instead of fresh weights. */
  continueFromLastRun?: boolean;
  /** Save a checkpoint every N steps and every M seconds (0: not by that measure); absent: none. */
  checkpoint?: CheckpointSettings;
  /**
   * Carry on a saved run (a SavedRun's runId) from its latest checkpoint: its own settings and plan
   * are used (only `checkpoint` is taken from here); the loaded model and dataset must be the same.
   */
  resumeFrom?: string;
}

/** Image folders and tables: epochs over the training split, evaluated at the end of each epoch. */
export interface ClassifierTrainConfig extends TrainSettings {
  task: 'classifier';
  epochs: number;
}

/** Language models: optimizer steps of accumulated micro-batches, evaluated every `evalEvery` steps. */
export interface LmTrainConfig extends TrainSettings {
  task: 'lm';
  /** Optimizer steps. */
  steps: number;
  /** Micro-batches per optimizer step (effective batch = batchSize x gradAccumulation). */
  gradAccumulation: number;
  /** Validation loss (and sample generations) every N steps, and at the end; 0: at the end only. */
  evalEvery: number;
  /** Prompts generated from at each evaluation (greedy, short); [] for none. */
  samplePrompts: string[];
  /**
   * Gradient checkpointing: each block's activations are recomputed in the backward pass instead of
   * kept (less memory, about a third more compute). Absent: on when the memory estimate says the
   * run would not fit the backend's memory otherwise.
   */
  gradientCheckpointing?: boolean;
  /**
   * Preference tuning (DPO, IPO, hinge, SimPO, ORPO) on the loaded preference pairs instead of the
   * causal-LM loss on the loaded text; absent: supervised tuning.
   */
  preference?: PreferenceSettings;
}

export type TrainConfig = ClassifierTrainConfig | LmTrainConfig;

/**
 * Defaults for a head on cached features: steps cost milliseconds, so many epochs are cheap.
 * On the sample (20 training images per class) these reach about 94% validation accuracy.
 */
export const DEFAULT_CLASSIFIER_TRAIN_CONFIG: ClassifierTrainConfig = {
  task: 'classifier',
  learningRate: 0.01,
  batchSize: 16,
  epochs: 30,
  weightDecay: 0.01,
  seed: 42,
};

export const DEFAULT_LM_TRAIN_CONFIG: LmTrainConfig = {
  task: 'lm',
  learningRate: 2e-3,
  batchSize: 4,
  gradAccumulation: 1,
  steps: 60,
  schedule: { kind: 'cosine', warmupSteps: 6 },
  weightDecay: 0,
  clipNorm: 1,
  evalEvery: 20,
  earlyStopping: { patience: 0 },
  seed: 42,
  samplePrompts: [],
};

export type RunState = 'idle' | 'preparing' | 'training' | 'paused' | 'stopping' | 'done' | 'stopped' | 'error';

/** Sent after every optimizer step. */
export interface StepPoint {
  /** 1-based global step. */
  step: number;
  loss: number;
  learningRate: number;
  /** Epoch-based runs: the 1-based epoch the step belongs to. */
  epoch?: number;
  /** Language models: training tokens (real, not padding) per second over the run so far. */
  tokensPerSecond?: number;
  /** Objective-specific numbers of this step by TRL's names (preference runs: rewards/chosen, rewards/margins, ...). */
  metrics?: Record<string, number>;
}

/** One evaluation on the validation split; which fields are set depends on the task. */
export interface EvalPoint {
  /** Global step at which it ran (the chart's x). */
  step: number;
  validationLoss: number;
  /** Epoch-based runs: the 1-based epoch it closes, and the mean training loss over that epoch. */
  epoch?: number;
  trainLoss?: number;
  /** Classification only. */
  validationAccuracy?: number;
  /** Regression only: root mean squared error in the target's own units. */
  validationRmse?: number;
  /** Language models: greedy continuations of the sample prompts with the weights as they are at this step. */
  samples?: { prompt: string; text: string }[];
  /** Objective-specific numbers on the validation split by TRL's names (preference runs: rewards/accuracies, ...). */
  metrics?: Record<string, number>;
}

/** A NaN or infinite loss stopped the run; the weights went back to the last good checkpoint. */
export interface RollbackReport {
  /** The step whose loss was not a number. */
  atStep: number;
  /** The step the weights and optimizer were restored to (0: the start). */
  toStep: number;
  message: string;
}

/** What every finished run reports, whatever its task. */
export interface RunResultBase {
  state: 'done' | 'stopped';
  /** True when early stopping ended the run before its planned end. */
  stoppedEarly: boolean;
  steps: number;
  finalLoss: number;
  /** Every evaluation, oldest first. */
  evals: EvalPoint[];
  /** The run id its checkpoints are saved under (absent when none were saved). */
  runId?: string;
  /** Set when a NaN or infinite loss stopped the run. */
  rolledBack?: RollbackReport;
}

/** A run with a checkpoint in the browser's storage. */
export interface SavedRun {
  runId: string;
  kind: 'image' | 'table' | 'lm';
  /** Epoch milliseconds. */
  startedAt: number;
  savedAt: number;
  step: number;
  totalSteps: number;
  /** The run finished; unfinished runs can be resumed. */
  finished: boolean;
  /** Stored size of the latest checkpoint. */
  bytes: number;
  modelName: string;
  datasetName: string;
  /** For a person: "LoRA r8 · tiny-chat-lm · chat-sample · 3 Dec 15:20" (runName.ts). */
  name: string;
  /**
   * How the run's data was read and split (an image or table split; a language model's import
   * options, which hold its split too): read the same file this way again before resuming.
   */
  datasetReadAs?: { validationFraction: number; seed: number; maxLength?: number; packing?: boolean; trainOnPrompt?: boolean };
}

/**
 * What a resumed run was, sent as it starts (the `runStarted` event) so the studio shows the run's
 * own settings, plan, mode and chart rather than what the form held.
 */
export interface ResumedRun {
  runId: string;
  config: TrainConfig;
  plan: TrainPlan;
  step: number;
  totalSteps: number;
  /** Every step point up to the checkpoint (none from a format-1 checkpoint), oldest first. */
  steps: StepPoint[];
  /** The evaluations up to the checkpoint, in step order. */
  evals: EvalPoint[];
}
