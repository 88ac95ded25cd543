/**
 * What training needs from any dataset, images or a table: inputs for some rows, the targets, the
 * split. The engine, the training tasks and the exports see a TrainingSet and never ask which kind
 * of file it came from (except to describe it).
 */
import type { TabularTask } from './csv/tabularTypes.ts';
import type { TabularDataset } from './csv/tabularTypes.ts';
import type { ImageDataset } from './imageDataset.ts';
import type { Split } from './split.ts';
import type { BaseModel } from '../models/baseModel.ts';
import { tf, type Tensor } from '../tf.ts';

export interface TrainingSet {
  name: string;
  task: TabularTask;
  /** Class names in label order; [] for regression. */
  classes: string[];
  count: number;
  /** Class id per row (classification); zeros for regression. */
  labels: Int32Array;
  /** Standardised target per row (regression); null for classification. */
  targets: Float32Array | null;
  split: Split;
  /** Identity of the inputs, for caching base features: a re-split keeps it, a new import does not. */
  inputsKey: object;
  /** Exactly one of these says where the rows came from. */
  image: ImageDataset | null;
  tabular: TabularDataset | null;
}

/** Width of the model's output: one logit per class, or one value for regression. */
export function outputSize(set: Pick<TrainingSet, 'task' | 'classes'>): number {
  return set.task === 'regression' ? 1 : set.classes.length;
}

export function imageTrainingSet(ds: ImageDataset): TrainingSet {
  return {
    name: ds.name,
    task: 'classification',
    classes: ds.classes,
    count: ds.labels.length,
    labels: ds.labels,
    targets: null,
    split: ds.split,
    inputsKey: ds.pixels,
    image: ds,
    tabular: null,
  };
}

export function tabularTrainingSet(ds: TabularDataset): TrainingSet {
  const count = ds.rowLines.length;
  return {
    name: ds.summary.name,
    task: ds.summary.task,
    classes: ds.encoder.label.task === 'classification' ? ds.encoder.label.classes : [],
    count,
    labels: ds.labels ?? new Int32Array(count),
    targets: ds.targets,
    split: ds.split,
    inputsKey: ds.features,
    image: null,
    tabular: ds,
  };
}

/**
 * The model's input for these rows: images [B, H, W, C] scaled as the base wants, or encoded table
 * rows [B, F].
 */
export function inputBatch(base: BaseModel, set: TrainingSet, rows: number[]): Tensor {
  if (set.tabular) {
    const F = set.tabular.featureCount;
    const data = new Float32Array(rows.length * F);
    rows.forEach((row, i) => data.set(set.tabular!.features.subarray(row * F, (row + 1) * F), i * F));
    return tf.tensor2d(data, [rows.length, F]); // [B, F]
  }
  const image = set.image!;
  const shape = base.summary.inputShape;
  const per = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(rows.length * per);
  rows.forEach((row, i) => {
    const src = image.pixels.subarray(row * per, (row + 1) * per);
    for (let j = 0; j < per; j++) data[i * per + j] = (src[j] ?? 0) * base.pixelScale;
  });
  return tf.tensor(data, [rows.length, ...shape]); // [B, H, W, C]
}

/** Does this base take this set's rows? A sentence saying what to do when it does not. */
export function inputMismatch(base: BaseModel, set: TrainingSet): string | null {
  const kind = base.summary.inputKind;
  if (set.tabular) {
    if (kind !== 'vector') return `The model "${base.summary.name}" takes images; the table needs a model that takes ${set.tabular.featureCount} numbers (use "MLP for this table").`;
    const F = base.summary.inputShape[0];
    if (F !== set.tabular.featureCount) return `The model "${base.summary.name}" takes ${F} inputs; the table encodes to ${set.tabular.featureCount} features. Use "MLP for this table" or a model built for these columns.`;
    return null;
  }
  if (kind !== 'image') return `The model "${base.summary.name}" takes a vector of ${base.summary.inputShape[0]} numbers; images need an image model.`;
  return null;
}
