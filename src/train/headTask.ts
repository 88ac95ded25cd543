/**
 * The classic transfer setup as a loop task: the head alone, on features of the frozen base computed
 * once ([N, F] -> logits [N, K]); plus the classifier pieces planTask.ts shares (the loss, the
 * validation pass and its metrics).
 */
import type { RegressionMetrics } from '../api.ts';
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../tf.ts';
import { headLogits, type Head } from './head.ts';
import { regressionLoss, regressionMetrics } from './regression.ts';
import type { LoopEvaluation, TrainLoopSpec } from './trainLoop.ts';

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

export function stepsPerEpoch(trainSize: number, batchSize: number): number {
  return Math.ceil(trainSize / batchSize);
}

/** Mean softmax cross-entropy; labels [B] int32, logits [B, K]. */
export function classificationLoss(logits: Tensor2D, labels: Tensor1D, numClasses: number): Tensor {
  const oneHot = tf.oneHot(labels, numClasses); // [B, K]
  return tf.losses.softmaxCrossEntropy(oneHot, logits);
}

/** A validation pass as the loop's evaluation: accuracy for classification, RMSE for regression. */
export function classifierEvaluation(pass: ValidationPass): LoopEvaluation<ValidationPass> {
  const metrics = pass.regression ? { validationLoss: pass.loss, validationRmse: pass.regression.rmse } : { validationLoss: pass.loss, validationAccuracy: pass.accuracy };
  return { metrics, detail: pass };
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

/** The head on cached features, trained for `epochs` epochs over the training rows. */
export function headTask(head: Head, data: TrainData, epochs: number): TrainLoopSpec<ValidationPass> {
  return {
    params: [
      { variable: head.kernel, decay: true },
      { variable: head.bias, decay: false },
    ],
    batches: { kind: 'epochs', trainSize: data.trainX.shape[0], epochs },
    batchLoss(rows) {
      const idx = tf.tensor1d(rows, 'int32'); // [B]
      const xb = tf.gather(data.trainX, idx); // [B, F]
      const yb = tf.gather(data.trainY, idx) as Tensor1D; // [B]
      const out = headLogits(head, xb); // [B, K]
      return data.regression ? regressionLoss(out, yb) : (classificationLoss(out, yb, data.numClasses) as Scalar);
    },
    evaluate: async () => classifierEvaluation(await evaluateHead(head, data.valX, data.valY, data.numClasses, data.regression)),
  };
}
