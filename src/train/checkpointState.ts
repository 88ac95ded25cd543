/**
 * What a checkpoint holds: a training loop's state (trainable weights, AdamW's moments and step, the
 * data order and position, the RNG states) plus what the run was (config, plan, model and dataset
 * identity) so a resume on something else is refused. Capture and restore of the weights live here
 * too; the byte format is checkpointCodec.ts, the store side checkpoint.ts.
 */
import type { EvalPoint, LmDatasetOptions, SplitOptions, TrainConfig, TrainPlan } from '../api.ts';
import { tf } from '../tf.ts';
import type { AdamW, AdamWParam, AdamWState } from './adamw.ts';
import type { StepHistory } from './stepHistory.ts';

export interface CheckpointTensor {
  /** The variable's name when saved (for people reading it; restore matches by position and shape). */
  name: string;
  shape: number[];
  values: Float32Array;
}

/**
 * Where an epoch-based run (images, tables) is: `batch` is the next batch of `epoch` to run, and
 * `order` that epoch's shuffled row order. batch == steps per epoch: the epoch's steps are done but
 * it is not evaluated yet (a resumed run evaluates it first).
 */
export interface EpochPosition {
  kind: 'epochs';
  epoch: number;
  batch: number;
  order: Int32Array;
  epochLossSum: number;
  epochSteps: number;
  /** Evaluated epochs so far (early stopping is replayed from their validation losses). */
  epochs: EvalPoint[];
  /** Real tokens trained on so far, when the task counts them (absent in older checkpoints). */
  trainedTokens?: number;
}

/** Where a step-based (language-model) run is: the shuffled training rows and the cursor into them. */
export interface LmPosition {
  kind: 'lm';
  cursor: number;
  order: Int32Array;
  trainedTokens: number;
  evals: EvalPoint[];
  /** The evaluation due after this step has not run yet (the run was stopped just before it). */
  pendingEval: boolean;
}

/** A training loop's state after `step` optimizer steps. */
export interface LoopState {
  step: number;
  totalSteps: number;
  lastLoss: number;
  /** Training time so far (pauses left out), so a resumed run's ETA carries on. */
  elapsedMs: number;
  /** Trainable variables in the task's parameter order. */
  weights: CheckpointTensor[];
  optimizer: AdamWState;
  /** Generator states by role ("order": the data order; "task": dropout), from rngState(). */
  rng: Record<string, number>;
  position: EpochPosition | LmPosition;
  /** Every step's point up to `step`, for the chart of a resumed run (format 1 kept none: upgraded to an empty one). */
  history: StepHistory;
}

export type RunKind = 'image' | 'table' | 'lm';

export interface CheckpointMeta {
  /** 2 since the step history; format 1 is upgraded on read (checkpointUpgrade.ts). */
  version: 2;
  runId: string;
  kind: RunKind;
  startedAt: number;
  createdAt: number;
  step: number;
  totalSteps: number;
  /** True for the final checkpoint of a run that finished: listed as saved, not offered for resuming. */
  finished: boolean;
  config: TrainConfig;
  plan: TrainPlan;
  model: { name: string; params: number };
  /**
   * `readAs`: how the data was read and split (a language model's import options, or the split),
   * so the studio can read it the same way again before a resume; absent in older checkpoints.
   */
  dataset: { name: string; hash: string; rows: number; readAs?: SplitOptions | LmDatasetOptions };
}

export interface Checkpoint {
  meta: CheckpointMeta;
  state: LoopState;
}

/** Reads the trainable weights and optimizer state (async .data(), never dataSync). */
export async function captureWeights(params: AdamWParam[], optimizer: AdamW): Promise<Pick<LoopState, 'weights' | 'optimizer'>> {
  const values = await Promise.all(params.map((p) => p.variable.data() as Promise<Float32Array>));
  const weights = params.map((p, i) => ({ name: p.variable.name, shape: [...p.variable.shape], values: Float32Array.from(values[i]!) }));
  return { weights, optimizer: await optimizer.exportState() };
}

/** Puts saved weights and optimizer state back into the run's variables. */
export function restoreWeights(params: AdamWParam[], optimizer: AdamW, state: Pick<LoopState, 'weights' | 'optimizer'>): void {
  if (state.weights.length !== params.length) {
    throw new Error(`The checkpoint has ${state.weights.length} trainable tensors; this run has ${params.length}: the plan or model differs.`);
  }
  params.forEach((p, i) => {
    const w = state.weights[i]!;
    if (w.shape.join('x') !== p.variable.shape.join('x')) {
      throw new Error(`Checkpoint tensor ${w.name} is [${w.shape.join(', ')}]; ${p.variable.name} is [${p.variable.shape.join(', ')}]: the plan or model differs.`);
    }
    tf.tidy(() => p.variable.assign(tf.tensor(w.values, p.variable.shape, 'float32')));
  });
  optimizer.importState(state.optimizer);
}

/** True when every saved weight and moment is a finite number. */
export function stateIsFinite(state: Pick<LoopState, 'weights' | 'optimizer'>): boolean {
  const finite = (a: Float32Array) => a.every((x) => Number.isFinite(x));
  return state.weights.every((w) => finite(w.values)) && state.optimizer.m.every(finite) && state.optimizer.v.every(finite);
}

/** The sentence shown when a loss stops being a number. */
export function nonFiniteMessage(loss: number, atStep: number, toStep: number): string {
  const what = Number.isNaN(loss) ? 'NaN' : 'infinite';
  const where = toStep > 0 ? `the weights were rolled back to step ${toStep}` : 'the weights were rolled back to where the run started';
  return `The loss became ${what} at step ${atStep}; ${where}. Lower the learning rate (or turn on gradient clipping) and train again.`;
}
