import type {
  BackendChoice,
  BackendReport,
  DatasetSummary,
  EpochPoint,
  GenerateResult,
  LmDatasetOptions,
  LmDatasetSummary,
  LmEvalPoint,
  LmModelSummary,
  LmModuleMode,
  LmPlan,
  LmPlanSummary,
  LmStepPoint,
  LmTrainConfig,
  LmTrainResult,
  LayerMode,
  LayerPlan,
  ModelSummary,
  PlanSummary,
  Prediction,
  ProgressTask,
  RunState,
  SplitOptions,
  TabularDatasetSummary,
  StepPoint,
  TrainConfig,
  TrainResult,
} from '../../src/index.ts';

/**
 * The studio's state: plain, structured-cloneable snapshots only. The engine, its Worker, Blobs and
 * tensors live elsewhere; the store only ever holds what the engine reported and what the user typed.
 */

export interface BackendState {
  /** What the user asked for (URL `?backend=` or the select). */
  requested: BackendChoice;
  report: BackendReport | null;
  /** A setBackend call is in flight. */
  switching: boolean;
}

export interface BackendSlice {
  backend: BackendState;
  setBackendRequested: (choice: BackendChoice) => void;
  setBackendReport: (report: BackendReport) => void;
  setBackendSwitching: (switching: boolean) => void;
}

/** Where the loaded base model came from: the built-in one, dropped files, or a URL the user typed. */
export type ModelOrigin = 'builtin' | 'files' | 'url' | 'table';

export interface ModelState {
  summary: ModelSummary | null;
  loading: boolean;
  origin: ModelOrigin;
}

export interface ModelSlice {
  model: ModelState;
  setModelLoading: (loading: boolean) => void;
  setModelSummary: (summary: ModelSummary, origin?: ModelOrigin) => void;
}

export interface PlanState {
  /** Layer name -> mode; only layers that are not frozen are named (the empty plan = head only). */
  layers: LayerPlan;
  /** The engine's totals for `layers` at the current batch size (null until it answered once). */
  summary: PlanSummary | null;
  /** The engine's sentence when it rejected the plan; Train waits until it is fixed. */
  error: string | null;
  /** A setPlan call is pending (debounced or in flight). */
  syncing: boolean;
}

export interface PlanSlice {
  plan: PlanState;
  /** Sets one layer's mode (`frozen` removes it from the plan). */
  setLayerMode: (layer: string, mode: LayerMode) => void;
  /** Replaces the whole plan (presets). */
  replacePlan: (layers: LayerPlan) => void;
  setPlanSyncing: (syncing: boolean) => void;
  setPlanSummary: (summary: PlanSummary) => void;
  setPlanError: (message: string) => void;
}

export interface DatasetState {
  /** An image dataset; null while a table (or nothing) is loaded. */
  summary: DatasetSummary | null;
  /** A CSV table; null while images (or nothing) are loaded. */
  table: TabularDatasetSummary | null;
  /** Object URLs (strings) of up to a few images per class, keyed by class name. */
  thumbnails: Record<string, string[]>;
  /** The split the next import uses; the summary records the one the current dataset used. */
  split: SplitOptions;
  importing: boolean;
}

export interface DatasetSlice {
  dataset: DatasetState;
  setDatasetImporting: (importing: boolean) => void;
  setDataset: (summary: DatasetSummary, thumbnails: Record<string, string[]>) => void;
  setTable: (table: TabularDatasetSummary) => void;
  setSplit: (split: Partial<SplitOptions>) => void;
}

export interface Progress {
  done: number;
  total: number;
  label: string;
}

/** Where the run's step timing stood at its first and latest step event (for the ETA). */
export interface StepTiming {
  firstStepsDone: number;
  firstElapsedMs: number;
  lastStepsDone: number;
  lastElapsedMs: number;
}

export interface TrainingState {
  config: TrainConfig;
  runState: RunState;
  /** A train() call is in flight (covers the gap before the engine reports 'preparing'). */
  busy: boolean;
  steps: StepPoint[];
  epochs: EpochPoint[];
  /** Latest engine progress for the run ('features' while preparing, 'train' while training). */
  progress: Progress | null;
  /** Total steps of the run, from step events (0 until the first one). */
  totalSteps: number;
  timing: StepTiming | null;
  /** The run was resumed and no step came since: the next step starts a fresh rate measurement. */
  resumed: boolean;
  /** Date.now() when Train was pressed, and when the run ended. */
  startedAt: number | null;
  finishedAt: number | null;
  /** Steps of the last run that finished with a usable head: Try it and Export need > 0. */
  trainedSteps: number;
  /** What the last finished (or imported) run resolved with: its evaluation and baseline. */
  result: TrainResult | null;
  /** True when `result` came from an imported bundle rather than a run in this tab. */
  imported: boolean;
  /** The engine's log messages for the current run, newest last (e.g. "Stopped early after epoch 4 ..."). */
  logs: string[];
}

export interface TrainingSlice {
  training: TrainingState;
  setTrainConfig: (patch: Partial<TrainConfig>) => void;
  beginRun: (now: number) => void;
  finishRun: (state: RunState, steps: number, now: number, result?: TrainResult | null) => void;
  /** An exported run was taken back: it is the current run (evaluation shown, Try it and Export enabled). */
  setImportedRun: (result: TrainResult) => void;
  /** The dataset or model changed: the trained head no longer matches it. */
  invalidateTrainedModel: () => void;
}

export interface TryItState {
  previewUrl: string | null;
  fileName: string | null;
  prediction: Prediction | null;
  predicting: boolean;
}

export interface TryItSlice {
  tryIt: TryItState;
  setTryImage: (previewUrl: string, fileName: string) => void;
  setPredicting: (predicting: boolean) => void;
  setPrediction: (prediction: Prediction | null) => void;
  clearTryIt: () => void;
}

export interface UiError {
  id: number;
  /** What the studio was doing, e.g. "Could not import the dataset". */
  title: string;
  /** The engine's sentence for a person (never a stack trace). */
  message: string;
  code: string | null;
}

export interface UiNotice {
  id: number;
  message: string;
}

export interface NoticeState {
  errors: UiError[];
  notices: UiNotice[];
}

export interface NoticeSlice {
  notice: NoticeState;
  pushError: (error: Omit<UiError, 'id'>) => void;
  dismissError: (id: number) => void;
  pushNotice: (message: string) => void;
  dismissNotice: (id: number) => void;
}

export type StartupPhase = 'starting' | 'backend' | 'model' | 'dataset' | 'ready' | 'error';

export interface Activity {
  task: ProgressTask | 'download';
  done: number;
  total: number;
  label: string;
}

export interface SessionState {
  phase: StartupPhase;
  /** Non-training work in progress (loading the model, downloading or importing images). */
  activity: Activity | null;
}

export interface SessionSlice {
  session: SessionState;
  setPhase: (phase: StartupPhase) => void;
  setActivity: (activity: Activity | null) => void;
}

/** Which half of the studio is shown. */
export type StudioMode = 'images' | 'lm';

export interface LmModelState {
  summary: LmModelSummary | null;
  loading: boolean;
  /** The engine's 'load-model' progress while `loading`. */
  progress: Progress | null;
  /** What the user loaded, in words ("built-in", a Hub id, a URL, a folder name). */
  source: string | null;
}

export interface LmPlanState {
  /** Module path -> mode; frozen modules are left out. */
  modules: LmPlan;
  /** What the presets apply: rank (alpha = 2 x rank), LoRA dropout, rsLoRA. */
  presetRank: number;
  presetDropout: number;
  presetRslora: boolean;
  summary: LmPlanSummary | null;
  error: string | null;
  syncing: boolean;
}

export interface LmDatasetState {
  summary: LmDatasetSummary | null;
  fileName: string | null;
  options: LmDatasetOptions;
  importing: boolean;
}

export type LmRunState = 'idle' | 'training' | 'done' | 'stopped' | 'error';

export interface LmRunStateSnapshot {
  config: LmTrainConfig;
  state: LmRunState;
  /** An lmTrain call is in flight. */
  busy: boolean;
  /** Stop was pressed; the run ends after its current step. */
  stopping: boolean;
  steps: LmStepPoint[];
  evals: LmEvalPoint[];
  totalSteps: number;
  elapsedMs: number;
  /** The last finished run. */
  result: LmTrainResult | null;
  /** A trained or imported adapter is on the model (Try's adapted output, Export). */
  hasAdapter: boolean;
  /** Validation loss an imported adapter reached (null after a run here). */
  importedValidationLoss: number | null;
  logs: string[];
}

export interface LmGenerationSettings {
  prompt: string;
  chat: boolean;
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

export interface LmGenerationStream {
  /** Matches lmToken events; null before the first generation. */
  requestId: number | null;
  text: string;
  done: boolean;
  tokens: number;
  finish: GenerateResult['finish'] | null;
  /** Why this stream did not run or ended without a result (no adapter, an error, stopped). */
  skipped: string | null;
}

export interface LmGenerationState {
  settings: LmGenerationSettings;
  base: LmGenerationStream;
  adapted: LmGenerationStream;
  generating: boolean;
  /** Adapter strength the engine was last asked for (0 = base, 1 = as trained). */
  strength: number;
  /** Validation loss the engine answered for `strength`. */
  strengthLoss: number | null;
}

export interface LmState {
  model: LmModelState;
  plan: LmPlanState;
  dataset: LmDatasetState;
  run: LmRunStateSnapshot;
  generation: LmGenerationState;
}

export interface LmSlice {
  mode: StudioMode;
  lm: LmState;
  setMode: (mode: StudioMode) => void;
  setLmModelLoading: (loading: boolean, source?: string) => void;
  setLmModel: (summary: LmModelSummary) => void;
  setLmModelProgress: (progress: Progress | null) => void;
  setLmModuleMode: (path: string, mode: LmModuleMode) => void;
  replaceLmPlan: (modules: LmPlan) => void;
  setLmPresetOptions: (patch: Partial<Pick<LmPlanState, 'presetRank' | 'presetDropout' | 'presetRslora'>>) => void;
  setLmPlanSyncing: (syncing: boolean) => void;
  setLmPlanSummary: (summary: LmPlanSummary) => void;
  setLmPlanError: (message: string) => void;
  setLmDatasetOptions: (patch: Partial<LmDatasetOptions>) => void;
  setLmDatasetImporting: (importing: boolean) => void;
  setLmDataset: (summary: LmDatasetSummary, fileName: string) => void;
  setLmTrainConfig: (patch: Partial<LmTrainConfig>) => void;
  beginLmRun: () => void;
  setLmStopping: () => void;
  /** null: the run failed. */
  finishLmRun: (result: LmTrainResult | null) => void;
  setLmImportedAdapter: (plan: LmPlan, validationLoss: number) => void;
  setLmGenerationSettings: (patch: Partial<LmGenerationSettings>) => void;
  /** adaptedSkipped: why the adapted stream does not run (no adapter), or null. */
  beginLmGeneration: (baseId: number, adaptedId: number, adaptedSkipped: string | null) => void;
  finishLmStream: (which: 'base' | 'adapted', result: GenerateResult | null, error?: string) => void;
  endLmGeneration: () => void;
  setLmStrength: (strength: number) => void;
  setLmStrengthLoss: (loss: number | null) => void;
}

export type StudioState = BackendSlice &
  LmSlice &
  ModelSlice &
  PlanSlice &
  DatasetSlice &
  TrainingSlice &
  TryItSlice &
  NoticeSlice &
  SessionSlice;
