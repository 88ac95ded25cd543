/**
 * The classifier task: a TF.js LayersModel base (images, or a table's encoded rows), its dataset,
 * the layer plan and the last trained (or imported) run. Loads and imports replace what was there
 * only once they succeeded. Runs are set up in classifierRun.ts; try-it and exports in classifierTry.ts.
 */
import type { CsvImportOptions, DatasetFile, DatasetSummary, ModelSummary, PlanSummary, SplitOptions, TabularDatasetSummary, TrainedRunInfo, TrainPlan } from '../api.ts';
import { buildTabularDataset } from '../data/csv/buildTabularDataset.ts';
import { parseCsv, type ParsedCsv } from '../data/csv/parseCsv.ts';
import type { ImageDecoder } from '../data/decodeImage.ts';
import { importImageDataset, resplit } from '../data/imageDataset.ts';
import { imageTrainingSet, inputMismatch, outputSize, tabularTrainingSet, type TrainingSet } from '../data/trainingSet.ts';
import { EngineError } from '../errors.ts';
import { normalizePlan, summarizePlan, validatePlanForBase } from '../lora/planSummary.ts';
import { restoreRun, snapshotRun, type RunSnapshot } from '../lora/runSnapshot.ts';
import { loadBase, loadBaseModel, loadBaseModelFiles, tabularMlpBase, type BaseModel, type ModelSource } from '../models/baseModel.ts';
import { DEFAULT_MLP_HIDDEN } from '../models/tabularMlp.ts';
import type { PreparedRun, RunIdentity, Task, TaskContext } from '../session/task.ts';
import { fingerprint } from '../train/checkpoint.ts';
import type { Tensor2D } from '../tf.ts';
import type { ClassifierTrainConfig, TrainResult } from '../api.ts';
import { disposeHead } from '../train/head.ts';
import { disposeLoraAdapters } from '../lora/loraAdapter.ts';
import { prepareClassifierRun } from './classifierRun.ts';
import type { Trained } from './trainedRun.ts';

/** What identifies an image or table dataset for a resume: its rows, labels and split. */
export function datasetIdentity(dataset: TrainingSet): RunIdentity['dataset'] {
  return {
    name: dataset.name,
    rows: dataset.count,
    hash: fingerprint(dataset.task, dataset.classes.join('\u0000'), dataset.labels, dataset.targets ?? [], dataset.split.train, dataset.split.validation),
  };
}

/** What survives a backend switch: where the models came from, and the trained run as numbers. */
interface ClassifierSaved {
  current: ModelSource | null;
  trained: { source: ModelSource; sharesBase: boolean; ofCurrentBase: boolean; snapshot: RunSnapshot } | null;
}

export class ClassifierTask implements Task<ClassifierTrainConfig, TrainResult> {
  readonly kind = 'classifier' as const;
  base: BaseModel | null = null;
  dataset: TrainingSet | null = null;
  /** The parsed CSV behind a table dataset: a re-split refits the encoder from it without reading the file again. */
  private csv: { parsed: ParsedCsv; name: string; options: CsvImportOptions } | null = null;
  features: { key: object; base: BaseModel; x: Tensor2D } | null = null;
  trained: Trained | null = null;
  plan: TrainPlan = {};

  constructor(
    readonly context: TaskContext,
    readonly decodeImage: ImageDecoder,
  ) {}

  async loadModel(modelJsonUrl: string): Promise<ModelSummary> {
    this.context.emit({ type: 'progress', task: 'load-model', done: 0, total: 1, label: 'Loading model' });
    return this.useBase(await loadBaseModel(modelJsonUrl, this.context.fetch));
  }

  /** Loads a model from dropped files (model.json, its shards, optional tabtune.json). */
  async loadModelFiles(files: DatasetFile[]): Promise<ModelSummary> {
    this.context.emit({ type: 'progress', task: 'load-model', done: 0, total: 1, label: 'Loading model' });
    return this.useBase(await loadBaseModelFiles(files));
  }

  /** A seeded MLP sized to the loaded table (its hidden layers to train or adapt, a head per label). */
  async loadTabularModel(hidden: number[] = DEFAULT_MLP_HIDDEN): Promise<ModelSummary> {
    const table = this.dataset?.tabular;
    if (!table) throw new EngineError('no-dataset', 'Load a CSV first: the MLP is sized to its encoded columns.');
    return this.useBase(tabularMlpBase({ inputs: table.featureCount, hidden, seed: 42 }));
  }

  /** Makes a freshly loaded model current; the previous one goes (unless a finished run still uses it). */
  private useBase(base: BaseModel): ModelSummary {
    this.disposeFeatures();
    this.disposeBase();
    this.base = base;
    this.plan = {};
    this.context.emit({ type: 'progress', task: 'load-model', done: 1, total: 1, label: 'Model loaded' });
    return base.summary;
  }

  async importImages(name: string, files: DatasetFile[], split: SplitOptions): Promise<DatasetSummary> {
    const base = this.requireBase();
    if (base.summary.inputKind !== 'image') {
      throw new EngineError('model-dataset-mismatch', `The model "${base.summary.name}" takes table rows, not images: pick an image model (the built-in one) first.`);
    }
    const size = base.summary.inputShape as [number, number, number];
    const dataset = await importImageDataset(name, files, split, size, this.decodeImage, (done, total, path) =>
      this.context.emit({ type: 'progress', task: 'import', done, total, label: path }),
    );
    // Only now, with the new dataset complete, is the previous one replaced.
    this.disposeFeatures();
    this.dataset = imageTrainingSet(dataset);
    this.csv = null;
    return dataset.summary;
  }

  /** Streams a CSV in, picks the label and task, splits and fits the encoder on the training rows. */
  async importCsv(name: string, file: Blob, options: CsvImportOptions): Promise<TabularDatasetSummary> {
    const parsed = await parseCsv(file, {
      onBadRow: options.onBadRow,
      onProgress: (p) => this.context.emit({ type: 'progress', task: 'import', done: p.bytes, total: p.totalBytes ?? p.bytes, label: `${p.rows.toLocaleString('en-US')} rows` }),
    });
    const summary = this.useTable(parsed, name, options);
    this.context.emit({ type: 'progress', task: 'import', done: 1, total: 1, label: `${summary.total} rows` });
    return summary;
  }

  private useTable(parsed: ParsedCsv, name: string, options: CsvImportOptions): TabularDatasetSummary {
    const table = buildTabularDataset(parsed, { name, split: options.split, labelColumn: options.labelColumn, task: options.task, ignoreColumns: options.ignoreColumns, onBadRow: options.onBadRow });
    this.disposeFeatures();
    this.dataset = tabularTrainingSet(table);
    this.csv = { parsed, name, options };
    return table.summary;
  }

  /** Changes the validation fraction or seed without decoding the images (or reading the CSV) again. */
  setSplit(split: SplitOptions): DatasetSummary | TabularDatasetSummary {
    const dataset = this.requireDataset();
    if (this.csv) return this.useTable(this.csv.parsed, this.csv.name, { ...this.csv.options, split });
    const images = resplit(dataset.image!, split);
    this.dataset = imageTrainingSet(images);
    return images.summary;
  }

  /** Validates and keeps the plan for the next run; the totals count a head for the loaded dataset's classes. */
  setPlan(plan: TrainPlan, batchSize: number): PlanSummary {
    const base = this.requireBase();
    const normalized = normalizePlan(plan);
    const summary = summarizePlan(base, normalized, this.dataset ? outputSize(this.dataset) : 2, batchSize);
    this.plan = normalized;
    return summary;
  }

  runIdentity(): RunIdentity {
    const base = this.requireBase();
    const dataset = this.requireDataset();
    if (dataset.split.train.length === 0) throw new EngineError('dataset-too-small', 'The training split is empty: lower the validation fraction.');
    const mismatch = inputMismatch(base, dataset);
    if (mismatch) throw new EngineError('model-dataset-mismatch', mismatch);
    // The split it was read with, so a resume after a reload can split the same way first.
    const split = this.csv?.options.split ?? (dataset.image ? { validationFraction: dataset.image.summary.validationFraction, seed: dataset.image.summary.seed } : undefined);
    return { kind: dataset.image ? 'image' : 'table', model: { name: base.summary.name, params: base.summary.totalParams }, dataset: { ...datasetIdentity(dataset), ...(split ? { readAs: { ...split } } : {}) } };
  }

  currentPlan(): TrainPlan {
    return this.plan;
  }

  checkPlan(plan: TrainPlan): void {
    validatePlanForBase(this.requireBase(), normalizePlan(plan));
  }

  prepareRun(config: ClassifierTrainConfig, plan: TrainPlan): Promise<PreparedRun<TrainResult>> {
    return prepareClassifierRun(this, config, normalizePlan(plan));
  }

  trainedRunInfo(): TrainedRunInfo {
    const t = this.trained;
    if (!t) return { task: 'classifier', present: false, stale: false, reason: null };
    const reason =
      t.loadedWith.base !== this.base
        ? 'The model loaded now is not the one this run was trained on.'
        : t.loadedWith.dataset !== this.dataset
          ? 'The dataset (or its split) changed since this run was trained.'
          : null;
    return { task: 'classifier', present: true, stale: reason !== null, reason };
  }

  async save(lost: boolean): Promise<ClassifierSaved> {
    // After a lost device the old tensors cannot be read: the finished run is gone (its checkpoint is not).
    if (lost && this.trained) {
      this.replaceTrained(null);
      this.context.emit({ type: 'log', level: 'warn', message: 'The last run was on the lost GPU device; load its checkpoint or export to keep working with it.' });
    }
    const t = this.trained;
    return {
      current: this.base?.source ?? null,
      trained: t
        ? { source: t.base.source, sharesBase: t.base === this.base, ofCurrentBase: t.loadedWith.base === this.base, snapshot: await snapshotRun(t) }
        : null,
    };
  }

  async restore(saved: unknown): Promise<void> {
    const { current, trained } = saved as ClassifierSaved;
    const load = (source: ModelSource | null) => (source ? loadBase(source, this.context.fetch) : Promise.resolve(null));
    this.disposeFeatures();
    const base = await load(current);
    // A run with a plan trained its own copy of the model; a head-only run shares the loaded one.
    const trainedBase = trained?.sharesBase ? base : await load(trained?.source ?? null);
    const old = this.trained;
    this.trained = null;
    this.disposeRun(old);
    this.base?.model.dispose();
    this.base = base;
    if (old && trained && trainedBase) {
      // The models were loaded again: a run of the model loaded before is a run of the one loaded now.
      const loadedWith = { base: trained.ofCurrentBase && base ? base : old.loadedWith.base, dataset: old.loadedWith.dataset };
      this.trained = { ...old, base: trainedBase, ...restoreRun(trained.snapshot, trainedBase), loadedWith };
    }
  }

  dispose(): void {
    this.disposeFeatures();
    this.replaceTrained(null);
    this.disposeBase();
  }

  disposeFeatures(): void {
    this.features?.x.dispose();
    this.features = null;
  }

  private disposeBase(): void {
    // The trained head keeps a reference to its base for predict: only dispose a base nobody uses.
    if (this.base && this.trained?.base !== this.base) this.base.model.dispose();
    this.base = null;
  }

  /** Swaps the finished run, freeing the old one. */
  replaceTrained(next: Trained | null): void {
    const old = this.trained;
    this.trained = next;
    this.disposeRun(old);
  }

  /** Frees a run's head, adapters and, unless still in use, the model it was trained on. */
  disposeRun(run: Trained | null): void {
    if (!run) return;
    disposeHead(run.head);
    disposeLoraAdapters(run.adapters);
    if (run.base !== this.base && run.base !== this.trained?.base) run.base.model.dispose();
  }

  requireBase(): BaseModel {
    if (!this.base) throw new EngineError('no-model', 'No base model is loaded yet: pick the built-in model or load one.');
    return this.base;
  }

  requireDataset(): TrainingSet {
    if (!this.dataset) throw new EngineError('no-dataset', 'No dataset is loaded yet: drop a folder with one sub-folder per class.');
    return this.dataset;
  }

  requireTrained(what: string): Trained {
    if (!this.trained) throw new EngineError('not-trained', `Train the model first, then ${what}.`);
    return this.trained;
  }
}
