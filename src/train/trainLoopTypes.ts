/**
 * What the training loop (trainLoop.ts) takes and gives: a task's spec (parameters, batch loss,
 * validation pass), the caller's hooks, and the outcome.
 */
import type { CheckpointSettings, EvalPoint, RollbackReport, StepPoint } from '../api.ts';
import type { Rng } from '../data/rng.ts';
import type { Scalar } from '../tf.ts';
import type { AdamWParam } from './adamw.ts';
import type { LoopState } from './checkpointState.ts';

export type LoopBatches =
  /** Rows 0..trainSize-1 shuffled each epoch; evaluated at each epoch's end. */
  | { kind: 'epochs'; trainSize: number; epochs: number }
  /** Rows drawn from a reshuffled stream; evaluated every evalEvery steps (0: only at the end). */
  | { kind: 'steps'; rows: number[]; steps: number; gradAccumulation: number; evalEvery: number };

export interface LoopEvaluation<D> {
  metrics: Pick<EvalPoint, 'validationLoss' | 'validationAccuracy' | 'validationRmse' | 'samples' | 'metrics'>;
  detail: D;
}

export interface TrainLoopSpec<D = unknown> {
  params: AdamWParam[];
  /** AdamW's betas where they are not PyTorch's defaults (0.9, 0.999), e.g. (0.9, 0.95) for pre-training. */
  adam?: { beta1?: number; beta2?: number };
  batches: LoopBatches;
  /**
   * Mean loss of one (micro-)batch in training mode; called inside tf.tidy and the gradient tape.
   * `at.step` is the 0-based optimizer step (steps done before it), `at.micro` the micro-batch in it:
   * a task can seed per-step randomness from them.
   */
  batchLoss(rows: number[], at: { step: number; micro: number }): Scalar;
  /** Real (non-padding) tokens in these rows: reported as tokensPerSecond on StepPoint when given. */
  countTokens?(rows: number[]): number;
  /**
   * Objective-specific numbers of the step just taken, e.g. a preference run's rewards; batchLoss
   * keeps what they need. Called once per step right after its update is enqueued and BEFORE the next
   * step's batchLoss: it must take what it kept synchronously (before its first await), since the
   * promise may be awaited after the next step has run. Reported as StepPoint.metrics.
   */
  stepMetrics?(): Promise<Record<string, number>>;
  /** Generator batchLoss draws from (dropout), made by createRng: checkpoints save and restore its state. */
  rng?: Rng;
  /** One validation pass; `detail` is whatever the task keeps (e.g. predictions for a confusion matrix). */
  evaluate(): Promise<LoopEvaluation<D>>;
}

export interface TrainLoopHooks {
  onStep(point: StepPoint, totalSteps: number, elapsedMs: number): void;
  onEval(point: EvalPoint): void;
  /** Checked after every step; true ends the run there. */
  shouldStop(): boolean;
  /** Awaited after every step: a paused run waits here (see PauseGate); paused time is not training time. */
  waitIfPaused?(): Promise<void>;
  onLog?(message: string, level?: 'info' | 'warn'): void;
  now?(): number;
  /** How often onCheckpoint is called: every N steps and/or M seconds (0: never by that measure). */
  checkpoint?: CheckpointSettings;
  /** Receives the state periodically and when the run stops or ends (`final`, also without `checkpoint`). Awaited. */
  onCheckpoint?(state: LoopState, final: 'stopped' | 'done' | null): Promise<void>;
  /** A saved state to carry on from: weights, optimizer, data position and RNGs are restored first. */
  resumeState?: LoopState;
}

export interface TrainLoopOutcome<D> {
  state: 'done' | 'stopped';
  stoppedEarly: boolean;
  steps: number;
  finalLoss: number;
  evals: EvalPoint[];
  /** The latest validation pass (null when none ran). */
  lastEvaluation: LoopEvaluation<D> | null;
  rolledBack?: RollbackReport;
}
