/**
 * A run as the engine keeps it after training or import (what predict, export and "continue" use),
 * and the small pure helpers around it.
 */
import type { Evaluation, LayerMode, LayerPlan, TrainConfig, TrainResult } from './api.ts';
import type { TrainingSet } from './data/trainingSet.ts';
import type { LoraAdapters } from './lora/loraAdapter.ts';
import type { BaseModel } from './models/baseModel.ts';
import { accuracy, confusionMatrix, perClassAccuracy } from './train/confusionMatrix.ts';
import type { Head } from './train/head.ts';
import type { TrainData, ValidationPass } from './train/headTask.ts';

/** A finished (or stopped) run: what predict and export use. Survives new imports until the next run ends. */
export interface Trained {
  head: Head;
  /** The model it was trained on: the loaded base, or (with a plan) a private copy whose trained layers changed. */
  base: BaseModel;
  plan: LayerPlan;
  adapters: LoraAdapters;
  dataset: TrainingSet;
  config: TrainConfig;
  result: TrainResult;
  backend: string;
}

/** A (normalized) plan's entries with keys sorted: two plans that train the same things compare equal. */
export function sortedPlan(plan: LayerPlan): [string, LayerMode][] {
  return Object.entries(plan).sort(([a], [b]) => (a < b ? -1 : 1));
}

export function disposeSplit(data: TrainData): void {
  for (const t of [data.trainX, data.trainY, data.valX, data.valY]) t.dispose();
}

/** A placeholder until the run's real result exists. */
export function emptyResult(dataset: TrainingSet): TrainResult {
  return { state: 'stopped', stoppedEarly: false, classes: dataset.classes, steps: 0, epochs: [], finalLoss: Number.NaN, evaluation: null, baseline: null };
}

/** A validation pass as the per-class report the UI shows. */
export function toEvaluation(classes: string[], pass: ValidationPass | null): Evaluation | null {
  if (pass?.regression) return { classes: [], loss: pass.loss, accuracy: Number.NaN, perClassAccuracy: [], confusion: [], regression: pass.regression };
  if (!pass || pass.predictions.length === 0) return null;
  const confusion = confusionMatrix(pass.labels, pass.predictions, classes.length);
  return { classes, loss: pass.loss, accuracy: accuracy(confusion), perClassAccuracy: perClassAccuracy(confusion), confusion };
}
