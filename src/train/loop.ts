/**
 * The training loop, in one readable file (after nanoGPT's train.py).
 *
 * Each step: a batch of training rows -> the task's loss -> gradients for the task's parameters only
 * -> AdamW. With the base frozen (the classic transfer setup) the task is the head on cached features
 * [B, F] -> logits [B, K]; with LoRA or trained layers it runs the model (planTask.ts).
 * Each step runs inside tf.tidy, so the tensor count stays flat however long the run.
 */
import type { EpochPoint, RegressionMetrics, StepPoint, TrainConfig, TrainResult } from '../api.ts';
import { createRng, rngState, setRngState, shuffleInPlace, type Rng } from '../data/rng.ts';
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../tf.ts';
import { AdamW, type AdamWParam } from './adamw.ts';
import { captureWeights, nonFiniteMessage, restoreWeights, stateIsFinite, type EpochPosition, type LoopState } from './checkpoint.ts';
import { clipByGlobalNorm } from './clipGradients.ts';
import { EarlyStopping } from './earlyStopping.ts';
import { headLogits, type Head } from './head.ts';
import { regressionLoss, regressionMetrics } from './regression.ts';
import { learningRateAt } from './schedule.ts';
import { yieldToEventLoop } from './yieldToEventLoop.ts';

export interface TrainData {
  trainX: Tensor2D; // [Ntrain, F] cached base features
  trainY: Tensor1D; // [Ntrain] int32 class ids, or float32 standardised targets (regression)
  valX: Tensor2D; // [Nval, F]
  valY: Tensor1D; // [Nval]
  /** Head outputs: classes, or 1 for regression. */
  numClasses: number;
  classes: string[];
  /** Regression: the target's training mean and std, to report errors in its units. Absent: classification. */
  regression?: { mean: number; std: number };
}

export interface TrainHooks {
  onStep(point: StepPoint, totalSteps: number, elapsedMs: number): void;
  onEpoch(point: EpochPoint): void;
  /** Checked between steps; true ends the run after the current step. */
  shouldStop(): boolean;
  /** Awaited between steps: a paused run waits here (see PauseGate). */
  waitIfPaused?: () => Promise<void>;
  onLog?: (message: string, level?: 'info' | 'warn') => void;
  now?: () => number;
  /** How often onCheckpoint is called: every N steps and/or every M seconds (0: never by that measure). */
  checkpoint?: { everySteps: number; everySeconds: number };
  /**
   * Receives the loop's state every N steps / M seconds, and when the run stops or ends (`final`).
   * Awaited: the next step waits for it. Needs `checkpoint` (or `final` alone is reported).
   */
  onCheckpoint?: (state: LoopState, final: 'stopped' | 'done' | null) => Promise<void>;
  /** A saved state to carry on from: weights, optimizer, data position and RNG are restored before the first step. */
  resumeState?: LoopState;
}

/** A loss that stopped being a number, and where the weights were put back to. */
export interface RolledBack {
  atStep: number;
  toStep: number;
  message: string;
}

/** When the checkpoint hooks are due: every N steps, or M seconds after the last one. */
export function checkpointDue(every: { everySteps: number; everySeconds: number } | undefined, step: number, sinceLastMs: number): boolean {
  if (!every) return false;
  return (every.everySteps > 0 && step % every.everySteps === 0) || (every.everySeconds > 0 && sinceLastMs >= every.everySeconds * 1000);
}

/** A validation pass: loss, accuracy, and the predicted class of each validation row (for the confusion matrix). */
export interface ValidationPass {
  loss: number;
  /** NaN for regression. */
  accuracy: number;
  predictions: Int32Array;
  labels: Int32Array;
  /** Regression only (predictions and labels are then empty). */
  regression?: RegressionMetrics;
}

/** Mean softmax cross-entropy; labels [B] int32, logits [B, K]. */
export function classificationLoss(logits: Tensor2D, labels: Tensor1D, numClasses: number): Tensor {
  const oneHot = tf.oneHot(labels, numClasses); // [B, K]
  return tf.losses.softmaxCrossEntropy(oneHot, logits);
}

/** Loss and accuracy of the head on a whole split (small enough for one pass: features are [N, F]). */
export async function evaluateHead(head: Head, x: Tensor2D, y: Tensor1D, numClasses: number, regression?: { mean: number; std: number }): Promise<ValidationPass> {
  if (x.shape[0] === 0) return { loss: Number.NaN, accuracy: Number.NaN, predictions: new Int32Array(0), labels: new Int32Array(0) };
  if (regression) {
    const out = tf.tidy(() => tf.reshape(headLogits(head, x), [-1])); // [N]
    const [pred, truth] = await Promise.all([out.data(), y.data()]);
    out.dispose();
    const metrics = regressionMetrics(Float32Array.from(pred), Float32Array.from(truth), regression);
    // The loss stays in standardised units, like the training loss it is charted beside.
    const loss = (metrics.rmse / regression.std) ** 2;
    return { loss, accuracy: Number.NaN, predictions: new Int32Array(0), labels: new Int32Array(0), regression: metrics };
  }
  const [lossT, predT] = tf.tidy(() => {
    const logits = headLogits(head, x); // [N, K]
    return [classificationLoss(logits, y, numClasses), tf.argMax(logits, 1)]; // [], [N]
  });
  const [loss, pred, labels] = await Promise.all([lossT.data(), predT.data(), y.data()]);
  lossT.dispose();
  predT.dispose();
  const predictions = Int32Array.from(pred);
  const truth = Int32Array.from(labels);
  const correct = predictions.reduce((n, p, i) => n + (p === truth[i] ? 1 : 0), 0);
  return { loss: loss[0] ?? Number.NaN, accuracy: correct / predictions.length, predictions, labels: truth };
}

export function stepsPerEpoch(trainSize: number, batchSize: number): number {
  return Math.ceil(trainSize / batchSize);
}

/**
 * What one run trains, whatever the plan: the loop below only needs a batch loss, the parameters
 * it may change, and a validation pass. The head on cached features is one task (headTask below);
 * LoRA and fully trained layers through the model are another (planTask.ts).
 */
export interface TrainTask {
  trainSize: number;
  classes: string[];
  params: AdamWParam[];
  /** Mean loss on these training rows, in training mode. Called inside tf.tidy and the gradient tape. */
  batchLoss(rows: number[]): Scalar;
  /** The generator batchLoss draws from (dropout), made by createRng: checkpoints save its state. */
  rng?: Rng;
  evaluate(): Promise<ValidationPass>;
}

export interface TrainOutcome extends Omit<TrainResult, 'evaluation' | 'baseline'> {
  /** The last validation pass, for the confusion matrix. */
  lastValidation: ValidationPass | null;
  /** Set when a NaN or infinite loss stopped the run and the weights were rolled back. */
  rolledBack?: RolledBack;
}

/** The classic transfer setup: the head alone, on features of the frozen base computed once. */
export function headTask(head: Head, data: TrainData): TrainTask {
  return {
    trainSize: data.trainX.shape[0],
    classes: data.classes,
    params: [
      { variable: head.kernel, decay: true },
      { variable: head.bias, decay: false },
    ],
    batchLoss(rows) {
      const idx = tf.tensor1d(rows, 'int32'); // [B]
      const xb = tf.gather(data.trainX, idx); // [B, F]
      const yb = tf.gather(data.trainY, idx) as Tensor1D; // [B]
      const out = headLogits(head, xb); // [B, K]
      return data.regression ? regressionLoss(out, yb) : (classificationLoss(out, yb, data.numClasses) as Scalar);
    },
    evaluate: () => evaluateHead(head, data.valX, data.valY, data.numClasses, data.regression),
  };
}

export async function trainHead(head: Head, data: TrainData, config: TrainConfig, hooks: TrainHooks): Promise<TrainOutcome> {
  return runTraining(headTask(head, data), config, hooks);
}

export async function runTraining(task: TrainTask, config: TrainConfig, hooks: TrainHooks): Promise<TrainOutcome> {
  const now = hooks.now ?? (() => performance.now());
  const n = task.trainSize;
  const perEpoch = stepsPerEpoch(n, config.batchSize);
  const totalSteps = perEpoch * config.epochs;
  const optimizer = new AdamW(task.params, { learningRate: config.learningRate, weightDecay: config.weightDecay });
  // One RNG for the data order, seeded by the run's seed: the same seed replays the same batches.
  const rng = createRng(config.seed ^ 0x9e3779b9);
  let order = Array.from({ length: n }, (_, i) => i);
  let epochs: EpochPoint[] = [];
  const schedule = config.schedule ?? { kind: 'constant' };
  const clipNorm = config.clipNorm ?? 0;
  const early = new EarlyStopping({ patience: config.earlyStopping?.patience ?? 0, minDelta: config.earlyStopping?.minDelta ?? 0 });
  const resume = hooks.resumeState;
  const resumeAt = resume?.position.kind === 'epochs' ? resume.position : null;
  if (resume && !resumeAt) throw new Error('This checkpoint is from a language-model run.');
  const started = now() - (resume?.elapsedMs ?? 0);
  // Time spent paused is not training time: elapsedMs (and so the ETA) leaves it out.
  let pausedMs = 0;
  let step = 0;
  let lastLoss = Number.NaN;
  let stopped = false;
  let stoppedEarly = false;
  let lastValidation: ValidationPass | null = null;
  let rolledBack: RolledBack | undefined;
  let epochLossSum = 0;
  let epochSteps = 0;

  const capture = async (epoch: number, batch: number): Promise<LoopState> => ({
    step,
    totalSteps,
    lastLoss,
    elapsedMs: now() - started - pausedMs,
    ...(await captureWeights(task.params, optimizer)),
    rng: { order: rngState(rng), ...(task.rng ? { task: rngState(task.rng) } : {}) },
    position: { kind: 'epochs', epoch, batch, order: Int32Array.from(order), epochLossSum, epochSteps, epochs: structuredClone(epochs) } satisfies EpochPosition,
  });

  try {
    if (resume && resumeAt) {
      restoreWeights(task.params, optimizer, resume);
      setRngState(rng, resume.rng.order ?? 0);
      if (task.rng && resume.rng.task !== undefined) setRngState(task.rng, resume.rng.task);
      order = Array.from(resumeAt.order);
      epochs = structuredClone(resumeAt.epochs);
      for (const e of epochs) early.update(e.validationLoss);
      step = resume.step;
      lastLoss = resume.lastLoss;
    }
    // The last state known to be good: where a NaN loss rolls back to (the start, then each checkpoint).
    let lastGood: LoopState = resume ?? (await capture(1, 0));
    let lastCheckpointAt = now();
    const firstEpoch = resumeAt?.epoch ?? 1;
    for (let epoch = firstEpoch; epoch <= config.epochs && !stopped && !rolledBack; epoch++) {
      const resuming = resumeAt !== null && epoch === firstEpoch;
      if (!resuming) shuffleInPlace(order, rng);
      epochLossSum = resuming ? resumeAt.epochLossSum : 0;
      epochSteps = resuming ? resumeAt.epochSteps : 0;
      for (let b = resuming ? resumeAt.batch : 0; b < perEpoch; b++) {
        const batch = order.slice(b * config.batchSize, (b + 1) * config.batchSize);
        const lr = learningRateAt(schedule, config.learningRate, step, totalSteps);
        const lossT = tf.tidy(() => {
          // Gradients only for the task's parameters: frozen weights never enter the tape's results.
          const { value, grads } = tf.variableGrads(() => task.batchLoss(batch), optimizer.variables);
          optimizer.apply(clipNorm > 0 ? clipByGlobalNorm(grads, clipNorm).grads : grads, lr);
          return value;
        });
        // The loss is read back every step because the chart shows every step; it is a 4-byte read.
        const loss = (await lossT.data())[0] ?? Number.NaN;
        lossT.dispose();
        if (!Number.isFinite(loss)) {
          rolledBack = rollBack(loss, step + 1, lastGood);
          break;
        }
        step += 1;
        lastLoss = loss;
        epochLossSum += loss;
        epochSteps += 1;
        hooks.onStep({ step, epoch, loss }, totalSteps, now() - started - pausedMs);
        if (hooks.onCheckpoint && checkpointDue(hooks.checkpoint, step, now() - lastCheckpointAt)) {
          const state = await capture(epoch, b + 1);
          // A step can leave NaN weights behind a finite loss: the next step's loss shows it, and a bad state is never kept.
          if (stateIsFinite(state)) {
            lastGood = state;
            await hooks.onCheckpoint(state, null);
          }
          lastCheckpointAt = now();
        }
        await yieldToEventLoop();
        const pauseStart = now();
        await hooks.waitIfPaused?.();
        pausedMs += now() - pauseStart;
        if (hooks.shouldStop()) {
          stopped = true;
          if (hooks.onCheckpoint) await hooks.onCheckpoint(await capture(epoch, b + 1), 'stopped');
          break;
        }
      }
      if (rolledBack) break;
      const val = await task.evaluate();
      lastValidation = val;
      const point: EpochPoint = {
        epoch,
        step,
        trainLoss: epochSteps > 0 ? epochLossSum / epochSteps : Number.NaN,
        validationLoss: val.loss,
        validationAccuracy: val.accuracy,
        ...(val.regression ? { validationRmse: val.regression.rmse } : {}),
      };
      epochs.push(point);
      hooks.onEpoch(point);
      const verdict = early.update(val.loss);
      if (verdict.stop && epoch < config.epochs && !stopped) {
        stoppedEarly = true;
        hooks.onLog?.(`Stopped early after epoch ${epoch}: the validation loss has not improved for ${verdict.badEpochs} epochs (best ${verdict.best.toFixed(4)}).`);
        break;
      }
    }
    if (rolledBack) {
      // The weights and optimizer are back at lastGood; so are the step count and the epochs reported.
      step = lastGood.step;
      lastLoss = lastGood.lastLoss;
      epochs = epochs.filter((e) => e.step <= step);
      lastValidation = step > 0 ? await task.evaluate() : null;
      hooks.onLog?.(rolledBack.message, 'warn');
    } else if (!stopped && hooks.onCheckpoint) {
      await hooks.onCheckpoint(await capture(config.epochs + 1, 0), 'done');
    }
  } finally {
    optimizer.dispose();
  }
  return {
    state: stopped || rolledBack ? 'stopped' : 'done',
    stoppedEarly,
    classes: task.classes,
    steps: step,
    epochs,
    finalLoss: lastLoss,
    lastValidation,
    ...(rolledBack ? { rolledBack } : {}),
  };

  function rollBack(loss: number, atStep: number, good: LoopState): RolledBack {
    restoreWeights(task.params, optimizer, good);
    return { atStep, toStep: good.step, message: nonFiniteMessage(loss, atStep, good.step) };
  }
}
