/**
 * The classifier task's contract: image folders and tables on a TF.js LayersModel (a frozen base,
 * a new head, and a plan of frozen, fully trained and LoRA layers). Plain data only.
 */
import type { BadRowPolicy, TabularTask } from '../data/csv/tabularTypes.ts';
import type { RunResultBase, TrainPlan } from './trainTypes.ts';

/** Live totals for a plan, shown before Train is pressed. */
export interface PlanSummary {
  plan: TrainPlan;
  /** Parameters that change in training: LoRA A and B, fully trained layers, and the new head. */
  trainableParams: number;
  /** All parameters of the base (up to the feature layer) plus LoRA and the new head. */
  totalParams: number;
  memory: MemoryEstimate;
}

/** Bytes, float32, at the given batch size. An estimate: backends add workspace of their own. */
export interface MemoryEstimate {
  batchSize: number;
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  total: number;
}

export interface LayerSummary {
  name: string;
  className: string;
  /** Whether LoRA can be attached (Dense and Conv2D). */
  loraSupported: boolean;
  /** Output shape without the batch dimension, e.g. [16, 16, 32]. */
  outputShape: number[];
  params: number;
  /** Whether the layer's weights change during training in the current plan. */
  trainable: boolean;
}

export interface ModelSummary {
  name: string;
  description: string;
  /** What the model reads: images [height, width, channels], or a vector [features] (a table's encoded row). */
  inputKind: 'image' | 'vector';
  /** [height, width, channels] for images, [features] for vectors. */
  inputShape: number[];
  /** Layers of the frozen base the new head is attached to (the original head is dropped). */
  layers: LayerSummary[];
  /** Name of the base layer whose output feeds the new head. */
  featureLayer: string;
  featureSize: number;
  totalParams: number;
}

/** A file or class left out of the dataset, and why. The import never aborts on these. */
export interface DatasetIssue {
  path: string;
  kind:
    | 'not-an-image'
    | 'corrupt-image'
    | 'too-few-images'
    | 'no-class-folder'
    | 'csv-bad-row'
    | 'csv-missing-file'
    | 'csv-unlisted-image'
    | 'csv-duplicate-row';
  message: string;
  /** 1-based line in a labels CSV, when the issue comes from one. */
  line?: number | null;
}

export interface ClassSummary {
  name: string;
  count: number;
  train: number;
  validation: number;
}

export interface DatasetSummary {
  /** Name of the dropped folder. */
  name: string;
  classes: ClassSummary[];
  total: number;
  issues: DatasetIssue[];
  validationFraction: number;
  seed: number;
}

export const DEFAULT_SPLIT: SplitOptions = { validationFraction: 0.15, seed: 42 };

export interface SplitOptions {
  /** Fraction of each class held out for validation (default 0.15). */
  validationFraction: number;
  seed: number;
}

/** How a regression model does, in the target's own units. */
export interface RegressionMetrics {
  rmse: number;
  mae: number;
  /** Coefficient of determination: 1 is perfect, 0 is no better than predicting the mean. */
  r2: number;
  /** Validation rows. */
  count: number;
}

/** How a model does on the validation split, class by class (classification) or as errors (regression). */
export interface Evaluation {
  /** [] for regression. */
  classes: string[];
  loss: number;
  accuracy: number;
  /** Recall per class (NaN for a class with no validation images). */
  perClassAccuracy: number[];
  /** confusion[true][predicted], counts. */
  confusion: number[][];
  /** Regression only (then accuracy is NaN and the confusion matrix empty). */
  regression?: RegressionMetrics;
}

export interface Prediction {
  classes: string[];
  probabilities: number[];
  /** Regression: the predicted value in the target's units (classes and probabilities are then empty). */
  value?: number;
}

/** How to read a CSV as a training table. Everything is optional: the label defaults to the last column. */
export interface CsvImportOptions {
  split: SplitOptions;
  /** Column name; default: the last column. */
  labelColumn?: string;
  /** Default: inferred from the label column (numbers with many values: regression). */
  task?: TabularTask;
  /** Columns left out of the features (ids, free text). */
  ignoreColumns?: string[];
  /** Bad rows (wrong field count, empty label, text in a numeric column): skip and list them (default), or fail. */
  onBadRow?: BadRowPolicy;
}

/** Everything a run produced, in one zip: PEFT adapter, head, merged TF.js model, manifest. */
export interface ExportedBundle {
  name: string;
  zip: Uint8Array;
  /** Paths inside the zip, for the UI to list. */
  files: string[];
}

/** A run taken back from an exported bundle, evaluated on the loaded dataset. */
export interface ImportedRunSummary {
  plan: TrainPlan;
  result: TrainResult;
}

/** The downloadable result of a run: the head's weights and a manifest that describes them. */
export interface ExportedWeights {
  /** File name suggestions, e.g. "tabtune-shapes-sample.safetensors". */
  weightsName: string;
  manifestName: string;
  safetensors: Uint8Array;
  manifestJson: string;
}

/** A classifier run's result: the common part, its classes and how it does on the validation split. */
export interface TrainResult extends RunResultBase {
  task: 'classifier';
  /** Class names in label order: what the trained head predicts. */
  classes: string[];
  /** The trained model on the validation split, after the last epoch. */
  evaluation: Evaluation | null;
  /**
   * The base model with a freshly trained head (every base layer frozen, same settings) on the same
   * split: what the plan gained over classic transfer. Null for a head-only run (it is the baseline).
   */
  baseline: Evaluation | null;
}

