/**
 * The training loop, in one readable file (after nanoGPT's train.py).
 *
 * Each step: a batch of training rows -> the task's loss -> gradients for the task's parameters only
 * -> AdamW. With the base frozen (the classic transfer setup) the task is the head on cached features
 * [B, F] -> logits [B, K]; with LoRA or trained layers it runs the model (planTask.ts).
 * Each step runs inside tf.tidy, so the tensor count stays flat however long the run.
 */
import type { EpochPoint, RegressionMetrics, StepPoint, TrainConfig, TrainResult } from '../api.ts';
import { createRng, shuffleInPlace } from '../data/rng.ts';
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../tf.ts';
import { AdamW, type AdamWParam } from './adamw.ts';
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
  onLog?: (message: string) => void;
  now?: () => number;
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
  evaluate(): Promise<ValidationPass>;
}

export interface TrainOutcome extends Omit<TrainResult, 'evaluation' | 'baseline'> {
  /** The last validation pass, for the confusion matrix. */
  lastValidation: ValidationPass | null;
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
  const order = Array.from({ length: n }, (_, i) => i);
  const epochs: EpochPoint[] = [];
  const schedule = config.schedule ?? { kind: 'constant' };
  const clipNorm = config.clipNorm ?? 0;
  const early = new EarlyStopping({ patience: config.earlyStopping?.patience ?? 0, minDelta: config.earlyStopping?.minDelta ?? 0 });
  const started = now();
  // Time spent paused is not training time: elapsedMs (and so the ETA) leaves it out.
  let pausedMs = 0;
  let step = 0;
  let lastLoss = Number.NaN;
  let stopped = false;
  let stoppedEarly = false;
  let lastValidation: ValidationPass | null = null;

  try {
    for (let epoch = 1; epoch <= config.epochs && !stopped; epoch++) {
      shuffleInPlace(order, rng);
      let epochLossSum = 0;
      let epochSteps = 0;
      for (let b = 0; b < perEpoch; b++) {
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
        step += 1;
        lastLoss = loss;
        epochLossSum += loss;
        epochSteps += 1;
        hooks.onStep({ step, epoch, loss }, totalSteps, now() - started - pausedMs);
        await yieldToEventLoop();
        const pauseStart = now();
        await hooks.waitIfPaused?.();
        pausedMs += now() - pauseStart;
        if (hooks.shouldStop()) {
          stopped = true;
          break;
        }
      }
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
  } finally {
    optimizer.dispose();
  }
  return { state: stopped ? 'stopped' : 'done', stoppedEarly, classes: task.classes, steps: step, epochs, finalLoss: lastLoss, lastValidation };
}
