/**
 * Predictions of a finished run for one input: an image, or a table row given as raw cells.
 * Classification gives probabilities per class; regression gives the value in the target's units.
 */
import type { Prediction } from '../api.ts';
import { parseNumber } from '../data/csv/inferSchema.ts';
import { encodeTabularRecord } from '../data/csv/fitTabularEncoder.ts';
import { outputSize, type TrainingSet } from '../data/trainingSet.ts';
import { EngineError } from '../errors.ts';
import { isHeadOnly } from '../lora/planSummary.ts';
import { tf, type Tensor, type Tensor2D } from '../tf.ts';
import { headLogits } from '../train/head.ts';
import { plannedLogits, targetScaleOf } from '../train/planTask.ts';
import { unstandardize } from '../train/regression.ts';
import type { Trained } from './trainedRun.ts';

/** Outputs [1, K] of the run for one input [1, ...]. */
function outputsOf(run: Trained, x: Tensor): Tensor2D {
  if (isHeadOnly(run.plan)) return headLogits(run.head, run.base.features.predict(x) as Tensor2D); // [1, K]
  return plannedLogits(run, x, false); // [1, K]
}

/** Runs the model on one prepared input [1, ...] and reads the answer back. */
export async function predictOne(run: Trained, x: Tensor): Promise<Prediction> {
  const set: TrainingSet = run.dataset;
  const out = tf.tidy(() => {
    const y = outputsOf(run, x); // [1, K]
    return set.task === 'regression' ? y : tf.softmax(y);
  });
  const values = Array.from(await out.data());
  out.dispose();
  x.dispose();
  const scale = targetScaleOf(set);
  if (set.task === 'regression' && scale) return { classes: [], probabilities: [], value: unstandardize(values[0] ?? Number.NaN, scale) };
  if (values.length !== outputSize(set)) throw new EngineError('internal', 'The model gave the wrong number of outputs for this dataset.');
  return { classes: [...set.classes], probabilities: values };
}

/** A row of raw cells -> its encoded features [1, F], refusing text in numeric columns by name. */
export function encodeRow(set: TrainingSet, values: Record<string, string>): Tensor2D {
  const table = set.tabular;
  if (!table) throw new EngineError('no-dataset', 'The last run was trained on images; predict with an image.');
  const missing = new Set(table.encoder.missingValues);
  for (const col of table.encoder.columns) {
    const cell = (values[col.name] ?? '').trim();
    if (col.kind === 'numeric' && !missing.has(cell) && Number.isNaN(parseNumber(cell))) {
      throw new EngineError('bad-input', `"${cell.slice(0, 40)}" in "${col.name}" is not a number; that column is numeric (leave it empty for "missing").`);
    }
  }
  return tf.tensor2d(encodeTabularRecord(table.encoder, values), [1, table.featureCount]); // [1, F]
}
