/**
 * The engine's public contract: everything app/ and the command line may know about it.
 * Plain data only (structured-cloneable): no tensors, no class instances, so every value can cross
 * the worker boundary and live in the UI store as a snapshot.
 *
 * One type, `SessionApi`, is implemented twice: by `Session` in-process (Node, tests, the worker's
 * inside) and by the worker client (client.ts). `REMOTE_METHODS` is the one method table both the
 * client and the worker's dispatch are derived from, so the compiler checks both sides.
 */
import type { BackendChoice, BackendReport } from './api/backendTypes.ts';
import type {
  CsvImportOptions,
  DatasetSummary,
  ExportedBundle,
  ExportedWeights,
  ImportedRunSummary,
  ModelSummary,
  PlanSummary,
  Prediction,
  SplitOptions,
  TrainResult,
} from './api/classifierTypes.ts';
import type {
  GenerateRequest,
  GenerateResult,
  LmDatasetOptions,
  LmDatasetSummary,
  LmExport,
  LmJobImport,
  LmJobOptions,
  LmLoadOptions,
  LmModelSource,
  LmModelSummary,
  LmPlanSummary,
  LmTrainResult,
} from './api/lmTypes.ts';
import type { PreferenceDatasetOptions, PreferenceDatasetSummary, PreferenceEvaluation, PreferenceRows, PreferenceSettings } from './api/preferenceTypes.ts';
import type { TabularDatasetSummary } from './data/csv/tabularTypes.ts';
import type { ClassifierTrainConfig, DatasetFile, EvalPoint, LmTrainConfig, ResumedRun, RunState, SavedRun, StepPoint, TaskKind, TrainConfig, TrainPlan } from './api/trainTypes.ts';

export * from './api/backendTypes.ts';
export * from './api/classifierTypes.ts';
export * from './api/lmTypes.ts';
export * from './api/preferenceTypes.ts';
export * from './api/trainTypes.ts';
export type { BadRowPolicy, ColumnType, CsvIssue, TabularColumnSummary, TabularDatasetSummary, TabularTask } from './data/csv/tabularTypes.ts';

/** What a long piece of work is doing, for a progress bar. */
export type ProgressTask = 'load-model' | 'import' | 'features' | 'train';

/** What the session is busy with: a run, or a download or import that other work would break. */
export type Activity = { kind: 'run' | 'load' | 'import' | 'export' | 'generate'; task: TaskKind | null; what: string };

/**
 * The one truth about a task's trained run (or imported adapter): whether there is one, and whether
 * the model or dataset loaded since is still the one it was trained on. Sent whenever it changes.
 */
export interface TrainedRunInfo {
  task: TaskKind;
  present: boolean;
  /** A model or dataset loaded since the run: it still predicts and exports, but is not of what is loaded now. */
  stale: boolean;
  /** Why it is stale, for a person. */
  reason: string | null;
}

export type EngineEvent =
  | { type: 'backend'; report: BackendReport }
  | { type: 'progress'; task: ProgressTask; done: number; total: number; label: string }
  /** The session started or finished a piece of exclusive work (null: idle). */
  | { type: 'activity'; activity: Activity | null }
  /** A run began: the id its checkpoints are saved under (null: it saves none), and what it was when it resumed a saved run. */
  | { type: 'runStarted'; task: TaskKind; runId: string | null; resumed: ResumedRun | null }
  | { type: 'step'; task: TaskKind; point: StepPoint; totalSteps: number; elapsedMs: number }
  | { type: 'eval'; task: TaskKind; point: EvalPoint }
  | { type: 'runState'; task: TaskKind; state: RunState }
  | { type: 'trainedRun'; info: TrainedRunInfo }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  /** The GPU failed: its device was lost, or it ran out of memory or refused a kernel. `message` says what to do. */
  | { type: 'gpuFault'; kind: 'lost' | 'out-of-memory' | 'validation' | 'internal'; message: string; recovered?: boolean }
  /** A checkpoint was saved (the run id it is saved under, its step and size). */
  | { type: 'checkpoint'; runId: string; step: number; bytes: number; finished: boolean }
  /** Streamed text of a generation (lmGenerate), matched by its requestId. */
  | { type: 'lmToken'; requestId: number; text: string };

/** Every failure the engine reports carries a stable code and a sentence for a person. */
export interface EngineErrorInfo {
  code: string;
  message: string;
}

/** A run's result, by the task of its config. */
export type RunResultOf<C extends TrainConfig> = C extends LmTrainConfig ? LmTrainResult : C extends ClassifierTrainConfig ? TrainResult : TrainResult | LmTrainResult;

/**
 * The engine as app/ sees it. Every method is async because it may run in a Worker.
 * Calls are not queued: each starts when it arrives, so `stop()` works during a run.
 * Methods that change state reject with code `busy` while a run, a download or an export that they
 * would break is going (Session.guard). A failed load or import keeps what was loaded before.
 */
export interface SessionApi {
  // The session: backend, the run, checkpoints.
  /** Starts (or switches) the backend; loaded models, datasets and trained runs are carried over. */
  setBackend(choice: BackendChoice): Promise<BackendReport>;
  /** Trains the task named by `config.task` on what is loaded for it. */
  train<C extends TrainConfig>(config: C): Promise<RunResultOf<C>>;
  /** Ends the run (or a generation) after the current step. */
  stop(): Promise<void>;
  /** Holds the run between steps (runState 'paused'); resume() goes on exactly where it was. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Runs with a saved checkpoint (every task), newest first. */
  listCheckpoints(): Promise<SavedRun[]>;
  deleteCheckpoint(runId: string): Promise<void>;

  // The classifier task: image folders and tables.
  /** Loads a TF.js LayersModel by URL (its metadata `tabtune.json` beside it is optional). */
  loadModel(modelJsonUrl: string): Promise<ModelSummary>;
  /** Loads a TF.js LayersModel from dropped files: model.json, the weight shards it lists, optional tabtune.json. */
  loadModelFiles(files: DatasetFile[]): Promise<ModelSummary>;
  /** Builds a seeded MLP sized to the loaded table's features (hidden widths default [64, 32]) and makes it the model. */
  loadTabularModel(hidden?: number[]): Promise<ModelSummary>;
  importImages(name: string, files: DatasetFile[], split: SplitOptions): Promise<DatasetSummary>;
  /** Streams a CSV in, encodes it and makes it the dataset. */
  importCsv(name: string, file: Blob, options: CsvImportOptions): Promise<TabularDatasetSummary>;
  /** Re-splits the loaded dataset (new fraction or seed) without decoding it again (a table's encoder is refitted on the new training rows). */
  setSplit(split: SplitOptions): Promise<DatasetSummary | TabularDatasetSummary>;
  /** Sets the layer plan for the next run (validated against the model) and returns its totals. */
  setPlan(plan: TrainPlan, batchSize: number): Promise<PlanSummary>;
  predict(image: Blob): Promise<Prediction>;
  /** Predicts one table row given as raw cells by column name (missing cells are allowed). */
  predictRow(values: Record<string, string>): Promise<Prediction>;
  exportWeights(): Promise<ExportedWeights>;
  /** Everything a run produced, in one zip: PEFT adapter, head, merged TF.js model, manifest. */
  exportBundle(): Promise<ExportedBundle>;
  /** Takes back an exported run (the zip, or its unzipped folder) onto the loaded model and dataset. */
  importRun(files: DatasetFile[]): Promise<ImportedRunSummary>;

  // The causal-LM task: Hugging Face models.
  /** Loads config, weights and tokenizer (progress events, task 'load-model'); refuses with a sentence when it will not fit. */
  lmLoadModel(source: LmModelSource, options?: LmLoadOptions): Promise<LmModelSummary>;
  /** Reads .txt or .jsonl ({"text"}, {"prompt","completion"}, {"messages"}, Alpaca) with the loaded tokenizer. */
  lmImportText(name: string, file: Blob, options: LmDatasetOptions): Promise<LmDatasetSummary>;
  /** Reads preference pairs (TRL's {"prompt","chosen","rejected"}, strings or messages; OpenAI's preference JSONL): the preference objective's dataset. */
  lmImportPreferences(name: string, file: Blob, options: PreferenceDatasetOptions): Promise<PreferenceDatasetSummary>;
  /** Scores loaded pairs with the adapter as it is now (policy) against the base (reference): TRL's metrics and every pair's log-probabilities. */
  lmEvalPreferences(request: { settings?: Partial<PreferenceSettings>; rows: PreferenceRows }): Promise<PreferenceEvaluation>;
  /**
   * `gradientCheckpointing` as the run's setting will be (absent: decided from the estimate); `pairs`:
   * the memory estimate is for a preference run (batchSize pairs: chosen and rejected sequences, and a reference pass).
   */
  lmSetPlan(plan: TrainPlan, batchSize: number, maxLength: number, gradientCheckpointing?: boolean, pairs?: boolean): Promise<LmPlanSummary>;
  /** Streams lmToken events, then resolves with the whole text. stop() ends a generation too. */
  lmGenerate(request: GenerateRequest): Promise<GenerateResult>;
  /** Scales the LoRA update (0 = base, 1 = as trained) for generation and export; returns the validation loss there. */
  lmSetAdapterStrength(strength: number): Promise<{ strength: number; validationLoss: number }>;
  /** adapter_config.json + adapter_model.safetensors as PEFT writes them (at the current strength). */
  lmExportAdapter(): Promise<LmExport>;
  /** The base with the adapter merged at the current strength: config.json, model.safetensors, tokenizer files. */
  lmExportMerged(): Promise<LmExport>;
  /** Applies a PEFT adapter (made here or by Python PEFT) to the loaded model: try it, export it or train on from it. */
  lmImportAdapter(files: DatasetFile[]): Promise<{ plan: TrainPlan; validationLoss: number }>;
  /** "Run on a cluster": the model reference, data split, plan and settings as an Accelerate + PEFT job folder (files and zip). */
  lmExportJob(config: LmTrainConfig, options?: LmJobOptions): Promise<LmExport>;
  /** Takes back a job's output folder (adapter/, trainer_state.json, job_result.json): applies the adapter, returns the loss history. */
  lmImportJob(files: DatasetFile[]): Promise<LmJobImport>;

  // Events; local on each side of the worker.
  subscribe(listener: (event: EngineEvent) => void): () => void;
  dispose(): void;
}

/** The methods called across the worker boundary (subscribe and dispose stay local). */
export type RemoteMethod = Exclude<keyof SessionApi, 'subscribe' | 'dispose'>;

/**
 * The method table: every remote method, once. `satisfies` makes the compiler refuse a table that
 * misses a method of SessionApi or names one it does not have; client.ts and worker.ts iterate it.
 */
export const REMOTE_METHODS = {
  setBackend: true,
  train: true,
  stop: true,
  pause: true,
  resume: true,
  listCheckpoints: true,
  deleteCheckpoint: true,
  loadModel: true,
  loadModelFiles: true,
  loadTabularModel: true,
  importImages: true,
  importCsv: true,
  setSplit: true,
  setPlan: true,
  predict: true,
  predictRow: true,
  exportWeights: true,
  exportBundle: true,
  importRun: true,
  lmLoadModel: true,
  lmImportText: true,
  lmImportPreferences: true,
  lmEvalPreferences: true,
  lmSetPlan: true,
  lmGenerate: true,
  lmSetAdapterStrength: true,
  lmExportAdapter: true,
  lmExportMerged: true,
  lmImportAdapter: true,
  lmExportJob: true,
  lmImportJob: true,
} as const satisfies Record<RemoteMethod, true>;
