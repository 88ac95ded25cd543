import type {
  BackendChoice,
  BackendReport,
  DatasetSummary,
  EpochPoint,
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

export type StudioState = BackendSlice &
  ModelSlice &
  PlanSlice &
  DatasetSlice &
  TrainingSlice &
  TryItSlice &
  NoticeSlice &
  SessionSlice;
