/**
 * The engine's public contract: everything app/ may know about the engine.
 * Plain data only (structured-cloneable): no tensors, no class instances, so every value can cross
 * the worker boundary and live in the UI store as a snapshot.
 */
import type { BadRowPolicy, TabularDatasetSummary, TabularTask } from './data/csv/tabularTypes.ts';
import type { LmEngineApi, LmEngineEvent } from './lmApi.ts';

export * from './lmApi.ts';

/** A concrete TF.js backend the engine can run on. */
export type BackendName = 'webgpu' | 'wasm' | 'webgl' | 'cpu';
/** What the user asks for: a concrete backend, or `auto` (WebGPU on a hardware adapter, else WASM). */
export type BackendChoice = 'auto' | BackendName;

/** What the browser says about its WebGPU adapter (GPUAdapterInfo), when there is one. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters (SwiftShader, WARP, llvmpipe): WebGPU exists but no real GPU backs it. */
  isSoftware: boolean;
}

/** Which backend runs, on which adapter, and why it was chosen: always shown in the UI. */
export interface BackendReport {
  requested: BackendChoice;
  name: BackendName;
  /** One sentence a person can read, e.g. "auto: SwiftShader is a software adapter; WASM is ~50x faster here". */
  reason: string;
  adapter: AdapterInfo | null;
}

/** What happens to one layer in a run. Layers a plan does not name are frozen. */
export type LayerMode =
  | { kind: 'frozen' }
  | { kind: 'train' }
  | { kind: 'lora'; r: number; alpha: number; dropout?: number; rslora?: boolean };

/** Layer name -> mode. The empty plan is the classic transfer setup: every base layer frozen, new head only. */
export type LayerPlan = Record<string, LayerMode>;

/** Live totals for a plan, shown before Train is pressed. */
export interface PlanSummary {
  plan: LayerPlan;
  /** Parameters that change in training: LoRA A and B, fully trained layers, and the new head. */
  trainableParams: number;
  /** All parameters of the base (up to the feature layer) plus LoRA and the new head. */
  totalParams: number;
  memory: MemoryEstimate;
}

/** Bytes, float32, at the given batch size. An estimate: backends add workspace of their own. */
export interface MemoryEstimate {
  batchSize: number;
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  total: number;
}

export interface LayerSummary {
  name: string;
  className: string;
  /** Whether LoRA can be attached (Dense and Conv2D). */
  loraSupported: boolean;
  /** Output shape without the batch dimension, e.g. [16, 16, 32]. */
  outputShape: number[];
  params: number;
  /** Whether the layer's weights change during training in the current plan. */
  trainable: boolean;
}

export interface ModelSummary {
  name: string;
  description: string;
  /** What the model reads: images [height, width, channels], or a vector [features] (a table's encoded row). */
  inputKind: 'image' | 'vector';
  /** [height, width, channels] for images, [features] for vectors. */
  inputShape: number[];
  /** Layers of the frozen base the new head is attached to (the original head is dropped). */
  layers: LayerSummary[];
  /** Name of the base layer whose output feeds the new head. */
  featureLayer: string;
  featureSize: number;
  totalParams: number;
}

/** One file of a dropped dataset; `path` is relative to the dropped folder, e.g. "shapes/star/003.png". */
export interface DatasetFile {
  path: string;
  file: Blob;
}

/** A file or class left out of the dataset, and why. The import never aborts on these. */
export interface DatasetIssue {
  path: string;
  kind:
    | 'not-an-image'
    | 'corrupt-image'
    | 'too-few-images'
    | 'no-class-folder'
    | 'csv-bad-row'
    | 'csv-missing-file'
    | 'csv-unlisted-image'
    | 'csv-duplicate-row';
  message: string;
  /** 1-based line in a labels CSV, when the issue comes from one. */
  line?: number | null;
}

export interface ClassSummary {
  name: string;
  count: number;
  train: number;
  validation: number;
}

export interface DatasetSummary {
  /** Name of the dropped folder. */
  name: string;
  classes: ClassSummary[];
  total: number;
  issues: DatasetIssue[];
  validationFraction: number;
  seed: number;
}

export interface SplitOptions {
  /** Fraction of each class held out for validation (default 0.15). */
  validationFraction: number;
  seed: number;
}

/** Learning-rate schedule, as transformers' get_{cosine,linear}_schedule_with_warmup. */
export type LrSchedule = { kind: 'constant' } | { kind: 'cosine' | 'linear'; warmupSteps: number; minLrRatio?: number };

export interface TrainConfig {
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** AdamW's decoupled weight decay. */
  weightDecay: number;
  seed: number;
  /** Default: constant. */
  schedule?: LrSchedule;
  /** Clip gradients to this global L2 norm (torch's clip_grad_norm_); 0 or absent: no clipping. */
  clipNorm?: number;
  /** Stop when the validation loss has not improved by minDelta for `patience` epochs; 0: never. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Start from the last run's head and adapters (same plan and classes) instead of fresh ones. */
  continueFromLastRun?: boolean;
  /** Save a checkpoint every N steps and every M seconds (0: not by that measure); absent: none. */
  checkpoint?: CheckpointSettings;
  /**
   * Carry on a saved run (a SavedRun's runId) from its latest checkpoint: its own settings and plan
   * are used (only `checkpoint` is taken from here); the loaded model and dataset must be the same.
   */
  resumeFrom?: string;
}

export interface CheckpointSettings {
  everySteps: number;
  everySeconds: number;
}

export const DEFAULT_CHECKPOINT_SETTINGS: CheckpointSettings = { everySteps: 100, everySeconds: 60 };

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
}

/** A NaN or infinite loss stopped the run; the weights went back to the last good checkpoint. */
export interface RollbackReport {
  /** The step whose loss was not a number. */
  atStep: number;
  /** The step the weights and optimizer were restored to (0: the start). */
  toStep: number;
  message: string;
}

/**
 * Defaults for a head on cached features: steps cost milliseconds, so many epochs are cheap.
 * On the sample (20 training images per class) these reach about 94% validation accuracy.
 */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  learningRate: 0.01,
  batchSize: 16,
  epochs: 30,
  weightDecay: 0.01,
  seed: 42,
};

export const DEFAULT_SPLIT: SplitOptions = { validationFraction: 0.15, seed: 42 };

export type RunState = 'idle' | 'preparing' | 'training' | 'paused' | 'stopping' | 'done' | 'stopped' | 'error';

/** Sent after every training step. */
export interface StepPoint {
  /** 1-based global step. */
  step: number;
  epoch: number;
  loss: number;
}

export interface EpochPoint {
  /** 1-based epoch number, at its end. */
  epoch: number;
  /** Global step at which the epoch ended (x position on the chart). */
  step: number;
  validationLoss: number;
  /** NaN for regression. */
  validationAccuracy: number;
  /** Regression only: root mean squared error in the target's own units. */
  validationRmse?: number;
  trainLoss: number;
}

/** How a regression model does, in the target's own units. */
export interface RegressionMetrics {
  rmse: number;
  mae: number;
  /** Coefficient of determination: 1 is perfect, 0 is no better than predicting the mean. */
  r2: number;
  /** Validation rows. */
  count: number;
}

/** How a model does on the validation split, class by class (classification) or as errors (regression). */
export interface Evaluation {
  /** [] for regression. */
  classes: string[];
  loss: number;
  accuracy: number;
  /** Recall per class (NaN for a class with no validation images). */
  perClassAccuracy: number[];
  /** confusion[true][predicted], counts. */
  confusion: number[][];
  /** Regression only (then accuracy is NaN and the confusion matrix empty). */
  regression?: RegressionMetrics;
}

export interface TrainResult {
  state: 'done' | 'stopped';
  /** True when early stopping ended the run before its last epoch. */
  stoppedEarly: boolean;
  /** Class names in label order: what the trained head predicts. */
  classes: string[];
  /** The trained model on the validation split, after the last epoch. */
  evaluation: Evaluation | null;
  /**
   * The base model with a freshly trained head (every base layer frozen, same settings) on the same
   * split: what the plan gained over classic transfer. Null for a head-only run (it is the baseline).
   */
  baseline: Evaluation | null;
  steps: number;
  epochs: EpochPoint[];
  finalLoss: number;
  /** The run id its checkpoints are saved under (absent when none were saved). */
  runId?: string;
  /** Set when a NaN or infinite loss stopped the run. */
  rolledBack?: RollbackReport;
}

export interface Prediction {
  classes: string[];
  probabilities: number[];
  /** Regression: the predicted value in the target's units (classes and probabilities are then empty). */
  value?: number;
}

/** How to read a CSV as a training table. Everything is optional: the label defaults to the last column. */
export interface CsvImportOptions {
  split: SplitOptions;
  /** Column name; default: the last column. */
  labelColumn?: string;
  /** Default: inferred from the label column (numbers with many values: regression). */
  task?: TabularTask;
  /** Columns left out of the features (ids, free text). */
  ignoreColumns?: string[];
  /** Bad rows (wrong field count, empty label, text in a numeric column): skip and list them (default), or fail. */
  onBadRow?: BadRowPolicy;
}

/** Everything a run produced, in one zip: PEFT adapter, head, merged TF.js model, manifest. */
export interface ExportedBundle {
  name: string;
  zip: Uint8Array;
  /** Paths inside the zip, for the UI to list. */
  files: string[];
}

/** A run taken back from an exported bundle, evaluated on the loaded dataset. */
export interface ImportedRunSummary {
  plan: LayerPlan;
  result: TrainResult;
}

/** The downloadable result of a run: the head's weights and a manifest that describes them. */
export interface ExportedWeights {
  /** File name suggestions, e.g. "tabtune-shapes-sample.safetensors". */
  weightsName: string;
  manifestName: string;
  safetensors: Uint8Array;
  manifestJson: string;
}

export type ProgressTask = 'load-model' | 'import' | 'features' | 'train';

export type {
  BadRowPolicy,
  ColumnType,
  CsvIssue,
  TabularColumnSummary,
  TabularDatasetSummary,
  TabularTask,
} from './data/csv/tabularTypes.ts';

export type EngineEvent =
  | { type: 'backend'; report: BackendReport }
  | { type: 'progress'; task: ProgressTask; done: number; total: number; label: string }
  | { type: 'step'; point: StepPoint; totalSteps: number; elapsedMs: number }
  | { type: 'epoch'; point: EpochPoint }
  | { type: 'runState'; state: RunState }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  /** The GPU failed: its device was lost, or it ran out of memory or refused a kernel. `message` says what to do. */
  | { type: 'gpuFault'; kind: 'lost' | 'out-of-memory' | 'validation' | 'internal'; message: string; recovered?: boolean }
  /** A checkpoint was saved (the run id it is saved under, its step and size). */
  | { type: 'checkpoint'; runId: string; step: number; bytes: number; finished: boolean }
  | LmEngineEvent;

/** Every failure the engine reports carries a stable code and a sentence for a person. */
export interface EngineErrorInfo {
  code: string;
  message: string;
}

/**
 * The engine as app/ sees it. Every method is async because it runs in a Worker.
 * Calls are not queued: each starts when it arrives, so `stop()` and `predict()` work during a run.
 * Methods that change state (`setBackend`, `loadModel`, `setSplit`, `train`) reject with code `busy`
 * while a run is going. A failed `importImages` or `loadModel` keeps what was loaded before.
 * `predict` and `exportWeights` use the last finished run, whose classes are in `TrainResult.classes`.
 */
export interface EngineApi extends LmEngineApi {
  /** Starts (or switches) the backend. */
  setBackend(choice: BackendChoice): Promise<BackendReport>;
  /** Loads a TF.js LayersModel by URL (its metadata `tabtune.json` beside it is optional). */
  loadModel(modelJsonUrl: string): Promise<ModelSummary>;
  /** Loads a TF.js LayersModel from dropped files: model.json, the weight shards it lists, optional tabtune.json. */
  loadModelFiles(files: DatasetFile[]): Promise<ModelSummary>;
  importImages(name: string, files: DatasetFile[], split: SplitOptions): Promise<DatasetSummary>;
  /** Streams a CSV in (in the worker), encodes it and makes it the dataset. A failed import keeps the previous dataset. */
  importCsv(name: string, file: Blob, options: CsvImportOptions): Promise<TabularDatasetSummary>;
  /** Builds a seeded MLP sized to the loaded table's features (hidden widths default [64, 32]) and makes it the model. */
  loadTabularModel(hidden?: number[]): Promise<ModelSummary>;
  /** Re-splits the loaded dataset (new fraction or seed) without decoding it again (a table's encoder is refitted on the new training rows). */
  setSplit(split: SplitOptions): Promise<DatasetSummary | TabularDatasetSummary>;
  /** Sets the layer plan for the next run (validated against the model) and returns its totals. */
  setPlan(plan: LayerPlan, batchSize: number): Promise<PlanSummary>;
  train(config: TrainConfig): Promise<TrainResult>;
  stop(): Promise<void>;
  /** Holds the run between steps (runState 'paused'); resume() goes on exactly where it was. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  predict(image: Blob): Promise<Prediction>;
  /** Predicts one table row given as raw cells by column name (missing cells are allowed). */
  predictRow(values: Record<string, string>): Promise<Prediction>;
  exportWeights(): Promise<ExportedWeights>;
  exportBundle(): Promise<ExportedBundle>;
  /** Takes back an exported run (the zip, or its unzipped folder) onto the loaded model and dataset. */
  importRun(files: DatasetFile[]): Promise<ImportedRunSummary>;
  /** Runs with a saved checkpoint (image, table and language-model runs), newest first. */
  listCheckpoints(): Promise<SavedRun[]>;
  deleteCheckpoint(runId: string): Promise<void>;
  subscribe(listener: (event: EngineEvent) => void): () => void;
  dispose(): void;
}
