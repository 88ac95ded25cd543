/**
 * The training loop, in one readable file (after nanoGPT's train.py).
 *
 * Classic transfer learning: the base is frozen, so its features for every image are computed once
 * (see features.ts) and each step trains only the new head on a batch of cached features:
 *   features [B, F] -> head -> logits [B, K] -> softmax cross-entropy -> AdamW on the head only.
 * Each step runs inside tf.tidy, so the tensor count stays flat however long the run.
 */
import type { EpochPoint, StepPoint, TrainConfig, TrainResult } from '../api.ts';
import { createRng, shuffleInPlace } from '../data/rng.ts';
import { tf, type Tensor, type Tensor1D, type Tensor2D } from '../tf.ts';
import { AdamW } from './adamw.ts';
import { headLogits, type Head } from './head.ts';
import { yieldToEventLoop } from './yieldToEventLoop.ts';

export interface TrainData {
  trainX: Tensor2D; // [Ntrain, F] cached base features
  trainY: Tensor1D; // [Ntrain] int32 class ids
  valX: Tensor2D; // [Nval, F]
  valY: Tensor1D; // [Nval]
  numClasses: number;
  classes: string[];
}

export interface TrainHooks {
  onStep(point: StepPoint, totalSteps: number, elapsedMs: number): void;
  onEpoch(point: EpochPoint): void;
  /** Checked between steps; true ends the run after the current step. */
  shouldStop(): boolean;
  now?: () => number;
}

/** Mean softmax cross-entropy; labels [B] int32, logits [B, K]. */
export function classificationLoss(logits: Tensor2D, labels: Tensor1D, numClasses: number): Tensor {
  const oneHot = tf.oneHot(labels, numClasses); // [B, K]
  return tf.losses.softmaxCrossEntropy(oneHot, logits);
}

/** Loss and accuracy of the head on a whole split (small enough for one pass: features are [N, F]). */
export async function evaluateHead(head: Head, x: Tensor2D, y: Tensor1D, numClasses: number): Promise<{ loss: number; accuracy: number }> {
  if (x.shape[0] === 0) return { loss: Number.NaN, accuracy: Number.NaN };
  const [lossT, accT] = tf.tidy(() => {
    const logits = headLogits(head, x); // [N, K]
    const loss = classificationLoss(logits, y, numClasses);
    const correct = tf.equal(tf.argMax(logits, 1), y).asType('float32'); // [N]
    return [loss, correct.mean()];
  });
  const [loss, accuracy] = await Promise.all([lossT.data(), accT.data()]);
  lossT.dispose();
  accT.dispose();
  return { loss: loss[0] ?? Number.NaN, accuracy: accuracy[0] ?? Number.NaN };
}

export function stepsPerEpoch(trainSize: number, batchSize: number): number {
  return Math.ceil(trainSize / batchSize);
}

export async function trainHead(head: Head, data: TrainData, config: TrainConfig, hooks: TrainHooks): Promise<TrainResult> {
  const now = hooks.now ?? (() => performance.now());
  const n = data.trainX.shape[0];
  const perEpoch = stepsPerEpoch(n, config.batchSize);
  const totalSteps = perEpoch * config.epochs;
  const optimizer = new AdamW(
    [
      { variable: head.kernel, decay: true },
      { variable: head.bias, decay: false },
    ],
    { learningRate: config.learningRate, weightDecay: config.weightDecay },
  );
  // One RNG for the data order, seeded by the run's seed: the same seed replays the same batches.
  const rng = createRng(config.seed ^ 0x9e3779b9);
  const order = Array.from({ length: n }, (_, i) => i);
  const epochs: EpochPoint[] = [];
  const started = now();
  let step = 0;
  let lastLoss = Number.NaN;
  let stopped = false;

  try {
    for (let epoch = 1; epoch <= config.epochs && !stopped; epoch++) {
      shuffleInPlace(order, rng);
      let epochLossSum = 0;
      let epochSteps = 0;
      for (let b = 0; b < perEpoch; b++) {
        const batch = order.slice(b * config.batchSize, (b + 1) * config.batchSize);
        const lossT = tf.tidy(() => {
          const idx = tf.tensor1d(batch, 'int32'); // [B]
          const xb = tf.gather(data.trainX, idx); // [B, F]
          const yb = tf.gather(data.trainY, idx) as Tensor1D; // [B]
          // Gradients only for the head's variables: the frozen base never enters the tape.
          const { value, grads } = tf.variableGrads(
            () => classificationLoss(headLogits(head, xb), yb, data.numClasses) as tf.Scalar,
            optimizer.variables,
          );
          optimizer.apply(grads);
          return value;
        });
        // The loss is read back every step because the chart shows every step; it is a 4-byte read.
        const loss = (await lossT.data())[0] ?? Number.NaN;
        lossT.dispose();
        step += 1;
        lastLoss = loss;
        epochLossSum += loss;
        epochSteps += 1;
        hooks.onStep({ step, epoch, loss }, totalSteps, now() - started);
        await yieldToEventLoop();
        if (hooks.shouldStop()) {
          stopped = true;
          break;
        }
      }
      const val = await evaluateHead(head, data.valX, data.valY, data.numClasses);
      const point: EpochPoint = {
        epoch,
        step,
        trainLoss: epochSteps > 0 ? epochLossSum / epochSteps : Number.NaN,
        validationLoss: val.loss,
        validationAccuracy: val.accuracy,
      };
      epochs.push(point);
      hooks.onEpoch(point);
    }
  } finally {
    optimizer.dispose();
  }
  return { state: stopped ? 'stopped' : 'done', classes: data.classes, steps: step, epochs, finalLoss: lastLoss };
}
