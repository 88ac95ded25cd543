/**
 * What a classifier's trained run is used for: predictions (an image, a table row), the head's
 * weights, the whole run as one zip, and taking an exported run back onto the loaded model.
 */
import type { DatasetFile, ExportedBundle, ExportedWeights, ImportedRunSummary, Prediction } from '../api.ts';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG } from '../api.ts';
import { toChannels } from '../data/decodeImage.ts';
import { imageTrainingSet, inputBatch } from '../data/trainingSet.ts';
import { EngineError } from '../errors.ts';
import { exportBundle } from '../export/bundleExport.ts';
import { exportHead } from '../export/headExport.ts';
import { bundleFiles, importRun } from '../export/importRun.ts';
import { normalizePlan } from '../lora/planSummary.ts';
import { loadBase } from '../models/baseModel.ts';
import { headFromValues, type Head } from '../train/head.ts';
import { targetScaleOf } from '../train/planTask.ts';
import { validateRun } from './classifierRun.ts';
import type { ClassifierTask } from './classifierTask.ts';
import { encodeRow, predictOne } from './predictRun.ts';
import { emptyResult, toEvaluation, type Trained } from './trainedRun.ts';

export async function predictImage(task: ClassifierTask, image: Blob): Promise<Prediction> {
  const trained = task.requireTrained('try it');
  if (trained.base.summary.inputKind !== 'image') throw new EngineError('bad-input', 'The last run was trained on a table: fill in a row to try it.');
  const [h, w, c] = trained.base.summary.inputShape as [number, number, number];
  let rgb: Uint8Array;
  try {
    rgb = toChannels((await task.decodeImage(image, w, h)).rgb, h * w, c);
  } catch (e) {
    throw new EngineError('image-corrupt', `That image could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const one = imageTrainingSet({ name: 'try', classes: [], paths: [], labels: new Int32Array(1), pixels: rgb, size: [h, w, c], split: { train: [], validation: [] }, summary: null as never });
  return predictOne(trained, inputBatch(trained.base, one, [0])); // [1, H, W, C]
}

export async function predictTableRow(task: ClassifierTask, values: Record<string, string>): Promise<Prediction> {
  const trained = task.requireTrained('try it');
  return predictOne(trained, encodeRow(trained.dataset, values)); // [1, F]
}

export async function exportWeights(task: ClassifierTask): Promise<ExportedWeights> {
  const trained = task.requireTrained('download weights');
  const { kernel, bias } = await headValues(trained.head);
  return exportHead({ ...trained, kernel, bias, createdAt: new Date() });
}

/** The whole run in one zip: manifest, head, PEFT adapter (when the plan has one), merged TF.js model. */
export async function exportRunBundle(task: ClassifierTask): Promise<ExportedBundle> {
  const trained = task.requireTrained('download the bundle');
  const { kernel, bias } = await headValues(trained.head);
  const weights = await exportHead({ ...trained, kernel, bias, createdAt: new Date() });
  return exportBundle({ ...trained, kernel, bias, weights, regression: targetScaleOf(trained.dataset) });
}

/**
 * Takes back a run Tabtune exported (zip or unzipped folder) onto the loaded model and evaluates it
 * on the loaded dataset, which must have the same classes. It becomes the current run: try it,
 * export it, or train on from it (continueFromLastRun).
 */
export async function importExportedRun(task: ClassifierTask, files: DatasetFile[]): Promise<ImportedRunSummary> {
  const base = task.requireBase();
  const dataset = task.requireDataset();
  const imported = await importRun(await bundleFiles(files), base, () => loadBase(base.source, task.context.fetch));
  const run: Trained = {
    head: headFromValues(imported.kernel, imported.bias, base.summary.featureSize, imported.classes.length),
    base: imported.base,
    plan: normalizePlan(imported.plan),
    adapters: imported.adapters,
    dataset,
    config: DEFAULT_CLASSIFIER_TRAIN_CONFIG,
    result: emptyResult(dataset),
    backend: task.context.backendName(),
    loadedWith: { base, dataset },
  };
  try {
    if (imported.classes.join('\u0000') !== dataset.classes.join('\u0000')) {
      throw new EngineError(
        'bundle-invalid',
        `This run predicts the classes ${imported.classes.join(', ')}; the loaded dataset has ${dataset.classes.join(', ')}. Load a dataset with the same classes to evaluate it or train on.`,
      );
    }
    const evaluation = toEvaluation(dataset.classes, await validateRun(task, run));
    run.result = { ...run.result, state: 'done', evaluation };
    task.replaceTrained(run);
    task.plan = structuredClone(run.plan);
    return { plan: run.plan, result: run.result };
  } catch (e) {
    task.disposeRun(run);
    throw e;
  }
}

async function headValues(head: Head): Promise<{ kernel: Float32Array; bias: Float32Array }> {
  const [kernel, bias] = await Promise.all([head.kernel.data(), head.bias.data()]);
  return { kernel: Float32Array.from(kernel), bias: Float32Array.from(bias) };
}
