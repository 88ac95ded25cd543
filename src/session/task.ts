/**
 * A task is one kind of model the session trains (the classifier: image folders and tables on a
 * TF.js LayersModel; the causal LM: Hugging Face models). The session owns what every run shares
 * (backend, device faults, guards, checkpoints, events, the training loop); a task owns its model,
 * dataset, plan and trained run, and turns a config into the loop's pluggable pieces.
 * A new objective (preference pairs) is a new loss inside a task's `prepareRun`, or a new task.
 */
import type { EngineEvent, RunResultBase, TaskKind, TrainConfig, TrainedRunInfo, TrainPlan } from '../api.ts';
import type { CheckpointMeta, RunKind } from '../train/checkpoint.ts';
import type { TrainLoopOutcome, TrainLoopSpec } from '../train/trainLoop.ts';

/** What a task needs from the session it lives in. */
export interface TaskContext {
  emit(event: EngineEvent): void;
  fetch?: typeof fetch;
  /** Checked between steps of long work that is not a training run (a generation). */
  shouldStop(): boolean;
  /** The running backend's name, recorded with a run ("webgpu", "wasm"). */
  backendName(): string;
}

/** A run set up by a task: the loop's pieces, and what to do with the loop's outcome. */
export interface PreparedRun<R extends RunResultBase, D = unknown> {
  spec: TrainLoopSpec<D>;
  /** Turns the outcome into the task's result (evaluations, baselines) and keeps the trained run. */
  finish(outcome: TrainLoopOutcome<D>, stopRequested: boolean): Promise<Omit<R, 'runId'>>;
  /** Frees what the run made and `finish` did not keep (called whatever happened). */
  dispose(): void;
}

/** What identifies a run for a resume: the kind of checkpoint, the model and the dataset. */
export interface RunIdentity {
  kind: RunKind;
  model: CheckpointMeta['model'];
  dataset: CheckpointMeta['dataset'];
}

export interface Task<C extends TrainConfig, R extends RunResultBase> {
  readonly kind: TaskKind;
  /** The loaded model and dataset (the one `config` trains on) as a checkpoint names them; throws when either is missing. */
  runIdentity(config?: C): RunIdentity;
  /** The plan the next run uses (the last one set). */
  currentPlan(): TrainPlan;
  /** Throws a sentence when `plan` does not fit the loaded model (a resumed run's saved plan). */
  checkPlan(plan: TrainPlan): void;
  /** Everything a run needs before its first step: copies of the model, adapters, the loss and evaluation. */
  prepareRun(config: C, plan: TrainPlan): Promise<PreparedRun<R>>;
  /** The one truth about this task's trained run. */
  trainedRunInfo(): TrainedRunInfo;
  /** Keeps what must survive a backend switch as plain values (tensors live on their backend). `lost`: the device is gone, tensors cannot be read. */
  save(lost: boolean): Promise<unknown>;
  /** Rebuilds the task on the new backend from what `save` kept. */
  restore(saved: unknown): Promise<void>;
  dispose(): void;
}
