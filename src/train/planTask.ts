/**
 * Training through the model: LoRA adapters and fully trained layers of the base, plus the new head.
 * Each batch runs the base up to its feature layer with the adapters added (lora/runModel), then the
 * head: input [B, ...] (images [B, H, W, C] or table rows [B, F]) -> features [B, F'] -> outputs [B, K].
 */
import type { TrainPlan } from '../api.ts';
import type { Rng } from '../data/rng.ts';
import { inputBatch, type TrainingSet } from '../data/trainingSet.ts';
import type { LoraAdapters } from '../lora/loraAdapter.ts';
import { runModel } from '../lora/runModel.ts';
import { trainableParams } from '../lora/trainableParams.ts';
import type { BaseModel } from '../models/baseModel.ts';
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../tf.ts';
import { headLogits, type Head } from './head.ts';
import { classificationLoss, classifierEvaluation, type ValidationPass } from './headTask.ts';
import { regressionLoss, regressionMetrics } from './regression.ts';
import type { TrainLoopSpec } from './trainLoop.ts';

/** Validation runs in chunks so a large split never needs one huge activation tensor. */
const EVAL_BATCH = 64;

export interface PlannedModel {
  base: BaseModel;
  plan: TrainPlan;
  adapters: LoraAdapters;
  head: Head;
}

/** Outputs of the planned model: base with adapters up to the feature layer, then the head. */
export function plannedLogits(m: PlannedModel, x: Tensor, training: boolean, rng?: Rng): Tensor2D {
  const features = runModel(m.base.model, x, { plan: m.plan, adapters: m.adapters, training, stopAt: m.base.summary.featureLayer, rng }); // [B, F]
  return headLogits(m.head, features); // [B, K]
}

/** The standardisation of a regression target, from the table's encoder. */
export function targetScaleOf(set: TrainingSet): { mean: number; std: number } | undefined {
  const label = set.tabular?.encoder.label;
  return label?.task === 'regression' ? { mean: label.mean, std: label.std } : undefined;
}

/** The batch's loss: cross-entropy on class ids, or mean squared error on standardised targets. */
export function setLoss(set: TrainingSet, outputs: Tensor2D, rows: number[]): Scalar {
  if (set.targets) return regressionLoss(outputs, tf.tensor1d(rows.map((r) => set.targets![r] ?? 0)) as Tensor1D);
  const y = tf.tensor1d(rows.map((r) => set.labels[r] ?? 0), 'int32') as Tensor1D; // [B]
  return classificationLoss(outputs, y, set.classes.length) as Scalar;
}

/**
 * The planned model trained for `epochs` epochs over the set's training rows; `rng` drives dropout
 * (LoRA and the base's dropout layers) and is saved with checkpoints.
 */
export function planTask(m: PlannedModel, set: TrainingSet, rng: Rng, epochs: number): TrainLoopSpec<ValidationPass> {
  const { train, validation } = set.split;
  return {
    params: [
      ...trainableParams(m.base.model, m.plan, m.adapters),
      { variable: m.head.kernel, decay: true },
      { variable: m.head.bias, decay: false },
    ],
    batches: { kind: 'epochs', trainSize: train.length, epochs },
    batchLoss(rows) {
      const setRows = rows.map((r) => train[r] as number);
      return setLoss(set, plannedLogits(m, inputBatch(m.base, set, setRows), true, rng), setRows);
    },
    rng,
    evaluate: async () => classifierEvaluation(await evaluatePlanned(m, set, validation)),
  };
}

/** Loss and accuracy (or regression errors) of the planned model on some rows, in chunks. */
export async function evaluatePlanned(m: PlannedModel, set: TrainingSet, rows: number[]): Promise<ValidationPass> {
  const n = rows.length;
  const labels = Int32Array.from(rows, (r) => set.labels[r] ?? 0);
  const predictions = new Int32Array(n);
  const outputs = new Float32Array(set.targets ? n : 0);
  if (n === 0) return { loss: Number.NaN, accuracy: Number.NaN, predictions, labels };
  let lossSum = 0;
  for (let start = 0; start < n; start += EVAL_BATCH) {
    const chunk = rows.slice(start, start + EVAL_BATCH);
    const [lossT, predT] = tf.tidy(() => {
      const out = plannedLogits(m, inputBatch(m.base, set, chunk), false); // [b, K]
      return [setLoss(set, out, chunk).mul(chunk.length), set.targets ? tf.reshape(out, [-1]) : tf.argMax(out, 1)]; // [], [b]
    });
    const [l, pred] = await Promise.all([lossT.data(), predT.data()]);
    lossT.dispose();
    predT.dispose();
    lossSum += l[0] ?? Number.NaN;
    if (set.targets) outputs.set(pred, start);
    else predictions.set(pred, start);
  }
  const loss = lossSum / n;
  const scale = targetScaleOf(set);
  if (set.targets && scale) {
    const truth = Float32Array.from(rows, (r) => set.targets![r] ?? 0);
    return { loss, accuracy: Number.NaN, predictions: new Int32Array(0), labels: new Int32Array(0), regression: regressionMetrics(outputs, truth, scale) };
  }
  const correct = predictions.reduce((acc, p, i) => acc + (p === labels[i] ? 1 : 0), 0);
  return { loss, accuracy: correct / n, predictions, labels };
}
