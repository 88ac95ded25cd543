/**
 * Training through the model: LoRA adapters and fully trained layers of the base, plus the new head.
 * Each batch of images runs the base up to its feature layer with the adapters added (lora/runModel),
 * then the head: pixels [B, H, W, C] -> features [B, F] -> logits [B, K].
 */
import type { LayerPlan } from '../api.ts';
import type { ImageDataset } from '../data/imageDataset.ts';
import type { Rng } from '../data/rng.ts';
import type { LoraAdapters } from '../lora/loraAdapter.ts';
import { runModel } from '../lora/runModel.ts';
import { trainableParams } from '../lora/trainableParams.ts';
import type { BaseModel } from '../models/baseModel.ts';
import { tf, type Scalar, type Tensor1D, type Tensor2D, type Tensor4D } from '../tf.ts';
import { headLogits, type Head } from './head.ts';
import { classificationLoss, type TrainTask } from './loop.ts';

/** Validation runs in chunks so a large split never needs one huge activation tensor. */
const EVAL_BATCH = 64;

export interface PlannedModel {
  base: BaseModel;
  plan: LayerPlan;
  adapters: LoraAdapters;
  head: Head;
}

/** image rows -> [B, H, W, C] float input, scaled as the base model expects. */
export function pixelBatch(base: BaseModel, pixels: Uint8Array, rows: number[]): Tensor4D {
  const [h, w, c] = base.summary.inputShape;
  const per = h * w * c;
  const data = new Float32Array(rows.length * per);
  rows.forEach((row, i) => {
    const src = pixels.subarray(row * per, (row + 1) * per);
    for (let j = 0; j < per; j++) data[i * per + j] = (src[j] ?? 0) * base.pixelScale;
  });
  return tf.tensor4d(data, [rows.length, h, w, c]);
}

/** Logits of the planned model: base with adapters up to the feature layer, then the head. */
export function plannedLogits(m: PlannedModel, x: Tensor4D, training: boolean, rng?: Rng): Tensor2D {
  const features = runModel(m.base.model, x, { plan: m.plan, adapters: m.adapters, training, stopAt: m.base.summary.featureLayer, rng }); // [B, F]
  return headLogits(m.head, features); // [B, K]
}

export function planTask(m: PlannedModel, dataset: ImageDataset, rng: Rng): TrainTask {
  const numClasses = dataset.classes.length;
  const { train, validation } = dataset.split;
  return {
    trainSize: train.length,
    classes: dataset.classes,
    params: [
      ...trainableParams(m.base.model, m.plan, m.adapters),
      { variable: m.head.kernel, decay: true },
      { variable: m.head.bias, decay: false },
    ],
    batchLoss(rows) {
      const imageRows = rows.map((r) => train[r] as number);
      const x = pixelBatch(m.base, dataset.pixels, imageRows);
      const y = tf.tensor1d(imageRows.map((r) => dataset.labels[r] ?? 0), 'int32') as Tensor1D; // [B]
      return classificationLoss(plannedLogits(m, x, true, rng), y, numClasses) as Scalar;
    },
    async evaluate() {
      const labels = Int32Array.from(validation, (r) => dataset.labels[r] ?? 0);
      const predictions = new Int32Array(validation.length);
      if (validation.length === 0) return { loss: Number.NaN, accuracy: Number.NaN, predictions, labels };
      let lossSum = 0;
      for (let start = 0; start < validation.length; start += EVAL_BATCH) {
        const rows = validation.slice(start, start + EVAL_BATCH);
        const [lossT, predT] = tf.tidy(() => {
          const y = tf.tensor1d(labels.subarray(start, start + rows.length), 'int32') as Tensor1D; // [b]
          const logits = plannedLogits(m, pixelBatch(m.base, dataset.pixels, rows), false); // [b, K]
          return [classificationLoss(logits, y, numClasses).mul(rows.length), tf.argMax(logits, 1)]; // [], [b]
        });
        const [l, pred] = await Promise.all([lossT.data(), predT.data()]);
        lossT.dispose();
        predT.dispose();
        lossSum += l[0] ?? Number.NaN;
        predictions.set(pred, start);
      }
      const correct = predictions.reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0);
      return { loss: lossSum / validation.length, accuracy: correct / validation.length, predictions, labels };
    },
  };
}
