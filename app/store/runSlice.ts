import type { StateCreator } from 'zustand';
import {
  DEFAULT_CLASSIFIER_TRAIN_CONFIG,
  DEFAULT_LM_TRAIN_CONFIG,
  type ClassifierTrainConfig,
  type EvalPoint,
  type LmTrainConfig,
  type LmTrainResult,
  type RunState,
  type StepPoint,
  type TaskKind,
  type TrainResult,
} from '../../src/index.ts';
import type { Progress } from './sessionSlice.ts';
import type { StudioState } from './state.ts';

export type ConfigOf<T extends TaskKind> = T extends 'lm' ? LmTrainConfig : ClassifierTrainConfig;
export type ResultOf<T extends TaskKind> = T extends 'lm' ? LmTrainResult : TrainResult;

/** Where the run's step timing stood at its first and latest step event (for the ETA). */
export interface StepTiming {
  firstStepsDone: number;
  firstElapsedMs: number;
  lastStepsDone: number;
  lastElapsedMs: number;
}

/** One task's run as the run area shows it; the same shape for every task. */
export interface TaskRun<T extends TaskKind = TaskKind> {
  config: ConfigOf<T>;
  runState: RunState;
  /** Train was pressed and the plan is being sent (before the run begins). */
  starting: boolean;
  /** A train() call is in flight (covers the gap before the engine reports 'preparing'). */
  busy: boolean;
  steps: StepPoint[];
  evals: EvalPoint[];
  /** Engine progress before the first step (a classifier extracting features). */
  preparing: Progress | null;
  /** Total steps of the run, from step events (0 until the first one). */
  totalSteps: number;
  timing: StepTiming | null;
  /** The run was resumed and no step came since: the next step starts a fresh rate measurement. */
  resumed: boolean;
  /** Date.now() when Train was pressed, and when the run ended. */
  startedAt: number | null;
  finishedAt: number | null;
  /** What the last finished (or imported) run resolved with. */
  result: ResultOf<T> | null;
  /** `result` came from an import rather than a run in this tab. */
  imported: boolean;
  /** The engine's log messages for the current run, newest last. */
  logs: string[];
}

export type Runs = { [T in TaskKind]: TaskRun<T> };

export interface RunSlice {
  runs: Runs;
  setTrainConfig: <T extends TaskKind>(task: T, patch: Partial<ConfigOf<T>>) => void;
  setRunStarting: (task: TaskKind, starting: boolean) => void;
  beginRun: (task: TaskKind, now: number) => void;
  /** A failed run (or one with no step) keeps the last result: the engine keeps its last finished run too. */
  finishRun: <T extends TaskKind>(task: T, state: RunState, now: number, result?: ResultOf<T> | null) => void;
  /** An exported run was taken back: its result is the one shown. */
  setImportedResult: (result: TrainResult) => void;
  /** A job's output (run elsewhere) was taken back: its loss history is drawn and its result shown. */
  setImportedLmRun: (steps: StepPoint[], evals: EvalPoint[], result: LmTrainResult) => void;
  /** The engine no longer has a trained run for the task: its result goes. */
  clearResult: (task: TaskKind) => void;
}

function initialRun<T extends TaskKind>(config: ConfigOf<T>): TaskRun<T> {
  return {
    config,
    runState: 'idle',
    starting: false,
    busy: false,
    steps: [],
    evals: [],
    preparing: null,
    totalSteps: 0,
    timing: null,
    resumed: false,
    startedAt: null,
    finishedAt: null,
    result: null,
    imported: false,
    logs: [],
  };
}

/**
 * The studio's first language-model run, for its built-in model and sample chat (opened with LoRA r=8
 * on every projection): 120 steps at 5e-3 answer every sample question cleanly ("Arr! The cow says
 * moo, matey!"); the engine's 60 steps at 2e-3 on PEFT's default targets only reach "Arr!!".
 * Measured with the WASM backend on 2 CPU cores; the README's "Language models" section has the run.
 */
export const STUDIO_LM_TRAIN_CONFIG: LmTrainConfig = {
  ...DEFAULT_LM_TRAIN_CONFIG,
  learningRate: 5e-3,
  steps: 120,
  schedule: { kind: 'cosine', warmupSteps: 12 },
  evalEvery: 40,
};

export const initialRuns: Runs = {
  classifier: initialRun<'classifier'>({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG }),
  lm: initialRun<'lm'>({ ...STUDIO_LM_TRAIN_CONFIG }),
};

/** The store patch that replaces one task's run. */
export function patchRun<T extends TaskKind>(s: Pick<StudioState, 'runs'>, task: T, patch: (run: TaskRun<T>) => Partial<TaskRun<T>>): Pick<StudioState, 'runs'> {
  const run = s.runs[task] as TaskRun<T>;
  return { runs: { ...s.runs, [task]: { ...run, ...patch(run) } } };
}

export const createRunSlice: StateCreator<StudioState, [], [], RunSlice> = (set) => ({
  runs: initialRuns,
  setTrainConfig: (task, patch) => set((s) => patchRun(s, task, (run) => ({ config: { ...run.config, ...patch } }))),
  setRunStarting: (task, starting) => set((s) => patchRun(s, task, () => ({ starting }))),
  beginRun: (task, now) =>
    // A fresh run keeps its settings and the last result until the new one lands.
    set((s) => patchRun(s, task, (run) => ({ ...initialRun(run.config), starting: run.starting, runState: 'preparing', busy: true, startedAt: now, result: run.result, imported: run.imported }))),
  finishRun: (task, runState, now, result = null) =>
    set((s) =>
      patchRun(s, task, (run) => {
        const replaced = runState !== 'error' && result !== null && result.steps > 0;
        return {
          runState,
          busy: false,
          finishedAt: now,
          result: replaced ? result : run.result,
          imported: replaced ? false : run.imported,
        };
      }),
    ),
  setImportedResult: (result) => set((s) => patchRun(s, 'classifier', () => ({ result, imported: true, finishedAt: Date.now() }))),
  setImportedLmRun: (steps, evals, result) =>
    set((s) => patchRun(s, 'lm', () => ({ steps, evals, totalSteps: steps.at(-1)?.step ?? 0, timing: null, result, imported: true, finishedAt: Date.now() }))),
  clearResult: (task) => set((s) => patchRun(s, task, () => ({ result: null, imported: false }))),
});
