/**
 * The engine: one object that owns the backend, the base model, the dataset, the trained head and
 * the run. It is plain TypeScript over TF.js, so the same class runs in the studio's Worker and in
 * Node (tests, command line). Long work reports through `emit`; failures are EngineErrors.
 */
import type {
  BackendChoice,
  BackendReport,
  CsvImportOptions,
  DatasetFile,
  DatasetSummary,
  EngineEvent,
  Evaluation,
  ExportedBundle,
  ExportedWeights,
  ImportedRunSummary,
  LayerPlan,
  ModelSummary,
  PlanSummary,
  Prediction,
  SavedRun,
  GenerateRequest,
  GenerateResult,
  LmDatasetOptions,
  LmDatasetSummary,
  LmExport,
  LmModelSource,
  LmModelSummary,
  LmPlan,
  LmPlanSummary,
  LmTrainConfig,
  LmTrainResult,
  SplitOptions,
  TabularDatasetSummary,
  TrainConfig,
  TrainResult,
} from './api.ts';
import { DEFAULT_TRAIN_CONFIG } from './api.ts';
import { explainKernelError } from './backend/explainKernelError.ts';
import { GpuFaults } from './backend/gpuFaults.ts';
import { startBackend } from './backend/startBackend.ts';
import { toChannels, type ImageDecoder } from './data/decodeImage.ts';
import { buildTabularDataset } from './data/csv/buildTabularDataset.ts';
import { parseCsv, type ParsedCsv } from './data/csv/parseCsv.ts';
import { importImageDataset, resplit } from './data/imageDataset.ts';
import { decodeUtf8Text } from './data/text/decodeUtf8Text.ts';
import { createRng } from './data/rng.ts';
import { imageTrainingSet, inputBatch, inputMismatch, outputSize, tabularTrainingSet, type TrainingSet } from './data/trainingSet.ts';
import { EngineError } from './errors.ts';
import { exportBundle } from './export/bundleExport.ts';
import { exportHead } from './export/headExport.ts';
import { bundleFiles, importRun } from './export/importRun.ts';
import { LmSession } from './lm/lmSession.ts';
import { createLoraAdapters, disposeLoraAdapters } from './lora/loraAdapter.ts';
import { isHeadOnly, normalizePlan, summarizePlan, validatePlanForBase } from './lora/planSummary.ts';
import { restoreRun, snapshotRun, type RunSnapshot } from './lora/runSnapshot.ts';
import { loadBase, loadBaseModel, loadBaseModelFiles, tabularMlpBase, type BaseModel, type ModelSource } from './models/baseModel.ts';
import { computeFeatures } from './models/features.ts';
import { DEFAULT_MLP_HIDDEN } from './models/tabularMlp.ts';
import { encodeRow, predictOne } from './predictRun.ts';
import { tf, type Tensor1D, type Tensor2D } from './tf.ts';
import { createHead, disposeHead, headFromValues, type Head } from './train/head.ts';
import { headTask, runTraining, type TrainData, type TrainTask, type ValidationPass } from './train/loop.ts';
import { PauseGate } from './train/pauseGate.ts';
import { planTask, targetScaleOf } from './train/planTask.ts';
import { validateTrainConfig } from './train/validateTrainConfig.ts';
import { requestPersistentStorage, type CheckpointStore } from './storage/checkpointStore.ts';
import { CheckpointRecorder, checkpointsOn, fingerprint, loadCheckpoint, newRunId, resumeMismatch, resumedConfig, type Checkpoint, type CheckpointMeta } from './train/checkpoint.ts';
import { disposeSplit, emptyResult, sortedPlan, toEvaluation, type Trained } from './trainedRun.ts';

export interface EnginePlatform {
  decodeImage: ImageDecoder;
  fetch?: typeof fetch;
  /** Where training checkpoints go (IndexedDB in the Worker, memory in tests); absent: none are saved. */
  checkpoints?: CheckpointStore;
}

/** What identifies an image or table dataset for a resume: its rows, labels and split. */
export function datasetIdentity(dataset: TrainingSet): CheckpointMeta['dataset'] {
  return {
    name: dataset.name,
    rows: dataset.count,
    hash: fingerprint(dataset.task, dataset.classes.join('\u0000'), dataset.labels, dataset.targets ?? [], dataset.split.train, dataset.split.validation),
  };
}

export class Engine {
  private backend: BackendReport | null = null;
  private base: BaseModel | null = null;
  private dataset: TrainingSet | null = null;
  /** The parsed CSV behind a table dataset: a re-split refits the encoder from it without reading the file again. */
  private csv: { parsed: ParsedCsv; name: string; options: CsvImportOptions } | null = null;
  private features: { key: object; base: BaseModel; x: Tensor2D } | null = null;
  private trained: Trained | null = null;
  private plan: LayerPlan = {};
  private running = false;
  private stopRequested = false;
  private readonly gate = new PauseGate();
  /** The language-model half: a Hugging Face causal LM, its text dataset and adapter. */
  private readonly lm: LmSession;
  /** Device loss and uncaptured GPU errors, explained to the user; a lost device is replaced once. */
  private readonly gpu: GpuFaults;
  private persistRequested = false;

  constructor(
    private readonly platform: EnginePlatform,
    private readonly emit: (event: EngineEvent) => void = () => {},
  ) {
    this.gpu = new GpuFaults({
      emit,
      isRunning: () => this.running,
      stopRun: () => {
        this.stopRequested = true;
        this.gate.resume();
      },
      restart: () => this.setBackend('webgpu'),
    });
    this.lm = new LmSession({
      emit,
      fetch: platform.fetch,
      shouldStop: () => this.stopRequested,
      waitIfPaused: () => this.gate.wait(),
      checkpoints: platform.checkpoints,
      onCheckpointSaved: () => this.requestPersistence(),
    });
  }

  /** The first saved checkpoint asks the browser to keep this origin's storage (best effort, once). */
  private requestPersistence(): void {
    if (this.persistRequested) return;
    this.persistRequested = true;
    void requestPersistentStorage();
  }

  async listCheckpoints(): Promise<SavedRun[]> {
    return (await this.platform.checkpoints?.list()) ?? [];
  }

  async deleteCheckpoint(runId: string): Promise<void> {
    await this.platform.checkpoints?.delete(runId);
  }

  // Language models: each call takes the same busy/stop discipline as the image and table runs.

  async lmLoadModel(source: LmModelSource): Promise<LmModelSummary> {
    this.assertIdle('load another model');
    if (!this.backend) await this.setBackend('auto');
    return this.lm.loadModel(source);
  }

  async lmImportText(name: string, file: Blob, options: LmDatasetOptions): Promise<LmDatasetSummary> {
    this.assertIdle('load another dataset');
    return this.lm.importText(name, decodeUtf8Text(new Uint8Array(await file.arrayBuffer()), name), options);
  }

  lmSetPlan(plan: LmPlan, batchSize: number, maxLength: number): LmPlanSummary {
    this.assertIdle('change the plan');
    return this.lm.setPlan(plan, batchSize, maxLength);
  }

  lmTrain(config: LmTrainConfig): Promise<LmTrainResult> {
    return this.exclusive('start another run', async () => {
      this.emit({ type: 'runState', state: 'training' });
      try {
        const result = await this.lm.train(config);
        this.emit({ type: 'runState', state: result.state });
        return result;
      } catch (e) {
        this.emit({ type: 'runState', state: 'error' });
        throw e;
      }
    });
  }

  lmGenerate(request: GenerateRequest): Promise<GenerateResult> {
    return this.exclusive('generate', () => this.lm.generate(request));
  }

  lmSetAdapterStrength(strength: number): Promise<{ strength: number; validationLoss: number }> {
    return this.exclusive('change the adapter strength', () => this.lm.setStrength(strength));
  }

  lmExportAdapter(): Promise<LmExport> {
    return this.exclusive('export', () => this.lm.exportAdapter());
  }

  lmExportMerged(): Promise<LmExport> {
    return this.exclusive('export', () => this.lm.exportMerged());
  }

  lmImportAdapter(files: DatasetFile[]): Promise<{ plan: LmPlan; validationLoss: number }> {
    return this.exclusive('import an adapter', () => this.lm.importAdapter(files));
  }

  /** The language model, tokenizer and adapter as loaded (the `tabtune logits` command reads them). */
  lmCurrent(): ReturnType<LmSession['current']> {
    return this.lm.current();
  }

  /** Runs `work` as the one thing going on: stop() ends it, other calls are refused as busy meanwhile. */
  private async exclusive<T>(what: string, work: () => Promise<T>): Promise<T> {
    this.assertIdle(what);
    this.running = true;
    this.stopRequested = false;
    try {
      return await work();
    } catch (e) {
      throw explainKernelError(e);
    } finally {
      this.running = false;
      this.gate.resume();
    }
  }

  async setBackend(choice: BackendChoice): Promise<BackendReport> {
    this.assertIdle('switch the backend');
    // Tensors live on their backend: keep the finished run as plain numbers and reload the models
    // (current and trained-on, which may differ) on the new backend.
    // After a lost device the old tensors cannot be read: the finished run is gone (its checkpoint is not).
    const saved: RunSnapshot | null = this.trained && !this.gpu.lost ? await snapshotRun(this.trained) : null;
    if (this.gpu.lost && this.trained) {
      this.replaceTrained(null);
      this.emit({ type: 'log', level: 'warn', message: 'The last run was on the lost GPU device; load its checkpoint or export to keep working with it.' });
    }
    const currentSource = this.base?.source ?? null;
    const trainedSource = this.trained?.base.source ?? null;
    const lmSaved = this.gpu.lost ? await this.lm.snapshotSource() : await this.lm.snapshot();
    const report = await startBackend(choice, this.gpu.watch);
    this.disposeFeatures();
    this.lm.dispose();
    if (lmSaved) await this.lm.restore(lmSaved);
    const load = (source: ModelSource | null) => (source ? loadBase(source, this.platform.fetch) : Promise.resolve(null));
    const base = await load(currentSource);
    // A run with a plan trained its own copy of the model; a head-only run shares the loaded one.
    const sharesBase = this.trained !== null && this.trained.base === this.base;
    const trainedBase = sharesBase ? base : await load(trainedSource);
    this.disposeRun(this.trained);
    this.base?.model.dispose();
    this.base = base;
    if (this.trained && saved && trainedBase) {
      this.trained = { ...this.trained, base: trainedBase, ...restoreRun(saved, trainedBase) };
    }
    this.backend = report;
    this.gpu.cleared();
    this.emit({ type: 'backend', report });
    return report;
  }

  async loadModel(modelJsonUrl: string): Promise<ModelSummary> {
    this.assertIdle('load another model');
    if (!this.backend) await this.setBackend('auto');
    this.emit({ type: 'progress', task: 'load-model', done: 0, total: 1, label: 'Loading model' });
    const base = await loadBaseModel(modelJsonUrl, this.platform.fetch);
    this.useBase(base);
    return base.summary;
  }

  /** Loads a model from dropped files (model.json, its shards, optional tabtune.json). */
  async loadModelFiles(files: DatasetFile[]): Promise<ModelSummary> {
    this.assertIdle('load another model');
    if (!this.backend) await this.setBackend('auto');
    this.emit({ type: 'progress', task: 'load-model', done: 0, total: 1, label: 'Loading model' });
    const base = await loadBaseModelFiles(files);
    this.useBase(base);
    return base.summary;
  }

  /** Makes a freshly loaded model current; the previous one goes (unless a finished run still uses it). */
  private useBase(base: BaseModel): void {
    this.disposeFeatures();
    this.disposeBase();
    this.base = base;
    this.plan = {};
    this.emit({ type: 'progress', task: 'load-model', done: 1, total: 1, label: 'Model loaded' });
  }

  async importImages(name: string, files: DatasetFile[], split: SplitOptions): Promise<DatasetSummary> {
    const base = this.requireBase();
    if (base.summary.inputKind !== 'image') {
      throw new EngineError('model-dataset-mismatch', `The model "${base.summary.name}" takes table rows, not images: pick an image model (the built-in one) first.`);
    }
    const size = base.summary.inputShape as [number, number, number];
    const dataset = await importImageDataset(name, files, split, size, this.platform.decodeImage, (done, total, path) =>
      this.emit({ type: 'progress', task: 'import', done, total, label: path }),
    );
    // Only now, with the new dataset complete, is the previous one replaced.
    this.disposeFeatures();
    this.dataset = imageTrainingSet(dataset);
    this.csv = null;
    return dataset.summary;
  }

  /** Streams a CSV in, picks the label and task, splits and fits the encoder on the training rows. */
  async importCsv(name: string, file: Blob, options: CsvImportOptions): Promise<TabularDatasetSummary> {
    this.assertIdle('load another dataset');
    const parsed = await parseCsv(file, {
      onBadRow: options.onBadRow,
      onProgress: (p) => this.emit({ type: 'progress', task: 'import', done: p.bytes, total: p.totalBytes ?? p.bytes, label: `${p.rows.toLocaleString('en-US')} rows` }),
    });
    const summary = this.useTable(parsed, name, options);
    this.emit({ type: 'progress', task: 'import', done: 1, total: 1, label: `${summary.total} rows` });
    return summary;
  }

  private useTable(parsed: ParsedCsv, name: string, options: CsvImportOptions): TabularDatasetSummary {
    const table = buildTabularDataset(parsed, {
      name,
      split: options.split,
      labelColumn: options.labelColumn,
      task: options.task,
      ignoreColumns: options.ignoreColumns,
      onBadRow: options.onBadRow,
    });
    this.disposeFeatures();
    this.dataset = tabularTrainingSet(table);
    this.csv = { parsed, name, options };
    return table.summary;
  }

  /** A seeded MLP sized to the loaded table (its hidden layers to train or adapt, a head per label). */
  async loadTabularModel(hidden: number[] = DEFAULT_MLP_HIDDEN): Promise<ModelSummary> {
    this.assertIdle('load another model');
    if (!this.backend) await this.setBackend('auto');
    const table = this.dataset?.tabular;
    if (!table) throw new EngineError('no-dataset', 'Load a CSV first: the MLP is sized to its encoded columns.');
    const base = tabularMlpBase({ inputs: table.featureCount, hidden, seed: 42 });
    this.useBase(base);
    return base.summary;
  }

  /**
   * Takes back a run Tabtune exported (zip or unzipped folder) onto the loaded model and evaluates it
   * on the loaded dataset, which must have the same classes. It becomes the current run: try it,
   * export it, or train on from it (TrainConfig.continueFromLastRun).
   */
  async importRun(files: DatasetFile[]): Promise<ImportedRunSummary> {
    this.assertIdle('import a run');
    const base = this.requireBase();
    const dataset = this.requireDataset();
    const imported = await importRun(await bundleFiles(files), base, () => loadBase(base.source, this.platform.fetch));
    const run: Trained = {
      head: headFromValues(imported.kernel, imported.bias, base.summary.featureSize, imported.classes.length),
      base: imported.base,
      plan: normalizePlan(imported.plan),
      adapters: imported.adapters,
      dataset,
      config: DEFAULT_TRAIN_CONFIG,
      result: emptyResult(dataset),
      backend: this.backendName(),
    };
    try {
      if (imported.classes.join('\u0000') !== dataset.classes.join('\u0000')) {
        throw new EngineError(
          'bundle-invalid',
          `This run predicts the classes ${imported.classes.join(', ')}; the loaded dataset has ${dataset.classes.join(', ')}. Load a dataset with the same classes to evaluate it or train on.`,
        );
      }
      const evaluation = toEvaluation(dataset.classes, await this.validate(run));
      run.result = { ...run.result, state: 'done', evaluation };
      this.replaceTrained(run);
      this.plan = structuredClone(run.plan);
      return { plan: run.plan, result: run.result };
    } catch (e) {
      this.disposeRun(run);
      throw e;
    }
  }

  /** Changes the validation fraction or seed without decoding the images (or reading the CSV) again. */
  setSplit(split: SplitOptions): DatasetSummary | TabularDatasetSummary {
    this.assertIdle('change the split');
    const dataset = this.requireDataset();
    if (this.csv) return this.useTable(this.csv.parsed, this.csv.name, { ...this.csv.options, split });
    const images = resplit(dataset.image!, split);
    this.dataset = imageTrainingSet(images);
    return images.summary;
  }

  /** Validates and keeps the plan for the next run; the totals count a head for the loaded dataset's classes. */
  setPlan(plan: LayerPlan, batchSize: number): PlanSummary {
    this.assertIdle('change the plan');
    const base = this.requireBase();
    const normalized = normalizePlan(plan);
    const summary = summarizePlan(base, normalized, this.dataset ? outputSize(this.dataset) : 2, batchSize);
    this.plan = normalized;
    return summary;
  }

  async train(asked: TrainConfig): Promise<TrainResult> {
    this.assertIdle('start another run');
    const base = this.requireBase();
    const dataset = this.requireDataset();
    const kind = dataset.image ? 'image' : 'table';
    const model = { name: base.summary.name, params: base.summary.totalParams };
    const identity = datasetIdentity(dataset);
    let resume: Checkpoint | null = null;
    if (asked.resumeFrom) {
      resume = await loadCheckpoint(this.platform.checkpoints, asked.resumeFrom);
      const mismatch = resumeMismatch(resume.meta, kind, model, identity);
      if (mismatch) throw new EngineError('resume-mismatch', mismatch);
      if (resume.meta.finished) throw new EngineError('resume-finished', 'That run finished: there is nothing left to resume.');
      this.assertIdle('start another run');
    }
    const config: TrainConfig = resume ? resumedConfig(resume.meta.config as TrainConfig, asked) : asked;
    validateTrainConfig(config);
    if (dataset.split.train.length === 0) throw new EngineError('dataset-too-small', 'The training split is empty: lower the validation fraction.');
    const mismatch = inputMismatch(base, dataset);
    if (mismatch) throw new EngineError('model-dataset-mismatch', mismatch);
    const plan = resume ? normalizePlan(resume.meta.plan as LayerPlan) : this.plan;
    validatePlanForBase(base, plan);
    this.running = true;
    this.stopRequested = false;
    this.emit({ type: 'runState', state: 'preparing' });
    let run: Trained | null = null;
    let cleanup = (): void => {};
    const store = this.platform.checkpoints;
    const recorder =
      store && checkpointsOn(config.checkpoint)
        ? new CheckpointRecorder(
            store,
            {
              version: 1,
              runId: resume?.meta.runId ?? newRunId(),
              kind,
              startedAt: resume?.meta.startedAt ?? Date.now(),
              config: { ...config, resumeFrom: undefined },
              plan,
              model,
              dataset: identity,
            },
            this.emit,
            () => this.requestPersistence(),
          )
        : null;
    if (recorder && resume) recorder.lastSavedStep = resume.meta.step;
    try {
      const numClasses = outputSize(dataset);
      let task: TrainTask;
      if (isHeadOnly(plan)) {
        // Classic transfer: the frozen base runs once per image, then every step is a tiny head update.
        const data = await this.cachedSplit(base, dataset);
        cleanup = () => disposeSplit(data);
        const from = config.continueFromLastRun ? await this.lastRunFor(plan, dataset) : null;
        const head = from
          ? headFromValues(from.head.kernel, from.head.bias, base.summary.featureSize, numClasses)
          : createHead(base.summary.featureSize, numClasses, createRng(config.seed));
        run = { head, base, plan, adapters: new Map(), dataset, config, result: emptyResult(dataset), backend: this.backendName() };
        task = headTask(head, data);
      } else {
        // LoRA and trained layers change the model: train a private copy, so the loaded base stays as it was.
        const from = config.continueFromLastRun ? await this.lastRunFor(plan, dataset) : null;
        const copy = await loadBase(from ? from.source : base.source, this.platform.fetch);
        const { head, adapters } = from
          ? restoreRun(from.snapshot, copy)
          : {
              head: createHead(copy.summary.featureSize, numClasses, createRng(config.seed)),
              adapters: createLoraAdapters(copy.model, plan, createRng(config.seed ^ 0x5bd1e995)),
            };
        run = { head, base: copy, plan, adapters, dataset, config, result: emptyResult(dataset), backend: this.backendName() };
        const dropoutRng = createRng(config.seed ^ 0x2545f491);
        task = { ...planTask({ base: copy, plan, adapters, head }, dataset, dropoutRng), rng: dropoutRng };
      }
      this.emit({ type: 'runState', state: 'training' });
      if (resume) this.emit({ type: 'log', level: 'info', message: `Resuming run ${resume.meta.runId} at step ${resume.meta.step} of ${resume.meta.totalSteps}.` });
      const outcome = await runTraining(task, config, {
        onStep: (point, totalSteps, elapsedMs) => this.emit({ type: 'step', point, totalSteps, elapsedMs }),
        onEpoch: (point) => this.emit({ type: 'epoch', point }),
        shouldStop: () => this.stopRequested,
        waitIfPaused: () => this.gate.wait(),
        onLog: (message, level = 'info') => this.emit({ type: 'log', level, message }),
        checkpoint: config.checkpoint,
        onCheckpoint: recorder ? async (state, final) => void (await recorder.write(state, final === 'done')) : undefined,
        resumeState: resume?.state,
      });
      const { lastValidation, ...rest } = outcome;
      const baseline = isHeadOnly(plan) || this.stopRequested || outcome.rolledBack ? null : await this.baselineFor(base, dataset, config);
      const result: TrainResult = {
        ...rest,
        evaluation: toEvaluation(dataset.classes, lastValidation),
        baseline,
        ...(recorder && recorder.lastSavedStep !== null ? { runId: recorder.runId } : {}),
      };
      if (result.steps > 0) {
        this.replaceTrained({ ...run, result });
        run = null;
      }
      this.emit({ type: 'runState', state: result.state });
      return result;
    } catch (e) {
      this.emit({ type: 'runState', state: 'error' });
      throw explainKernelError(e);
    } finally {
      cleanup();
      this.disposeRun(run);
      this.running = false;
      this.gate.resume();
    }
  }

  /**
   * Classic transfer on the same split and settings (frozen base, new head), quietly: the yardstick
   * a plan's evaluation is shown beside. Cheap, since it trains on cached features.
   */
  private async baselineFor(base: BaseModel, dataset: TrainingSet, config: TrainConfig): Promise<Evaluation | null> {
    const data = await this.cachedSplit(base, dataset);
    const head = createHead(base.summary.featureSize, outputSize(dataset), createRng(config.seed));
    try {
      const outcome = await runTraining(headTask(head, data), config, { onStep: () => {}, onEpoch: () => {}, shouldStop: () => this.stopRequested });
      return toEvaluation(dataset.classes, outcome.lastValidation);
    } finally {
      disposeHead(head);
      disposeSplit(data);
    }
  }

  /** The last run as values to start from, if it can carry on with this plan and these classes. */
  private async lastRunFor(plan: LayerPlan, dataset: TrainingSet): Promise<{ snapshot: RunSnapshot; head: RunSnapshot['head']; source: ModelSource }> {
    const last = this.requireTrained('continue from it');
    if (JSON.stringify(sortedPlan(normalizePlan(last.plan))) !== JSON.stringify(sortedPlan(normalizePlan(plan)))) {
      throw new EngineError('bad-config', 'To continue from the last run, keep its layer plan (or untick "continue" to start fresh).');
    }
    if (last.dataset.task !== dataset.task || last.dataset.classes.join('\u0000') !== dataset.classes.join('\u0000')) {
      throw new EngineError('bad-config', `The last run predicts ${last.dataset.classes.join(', ')}; this dataset has ${dataset.classes.join(', ')}. Continue only with the same classes.`);
    }
    const snapshot = await snapshotRun(last);
    return { snapshot, head: snapshot.head, source: last.base.source };
  }

  /** One validation pass of a run on its dataset's split. */
  private async validate(run: Trained): Promise<ValidationPass> {
    if (!isHeadOnly(run.plan)) return planTask(run, run.dataset, createRng(1)).evaluate();
    const data = await this.cachedSplit(run.base, run.dataset);
    try {
      return await headTask(run.head, data).evaluate();
    } finally {
      disposeSplit(data);
    }
  }

  /** Cached base features split into train and validation rows. */
  private async cachedSplit(base: BaseModel, dataset: TrainingSet): Promise<TrainData> {
    const all = await this.featuresFor(base, dataset);
    return {
      ...tf.tidy(() => {
        const pick = (idx: number[]) => tf.tensor1d(idx, 'int32'); // [n]
        // Class ids, or standardised targets for regression.
        const labels = dataset.targets ? tf.tensor1d(dataset.targets) : tf.tensor1d(dataset.labels, 'int32'); // [N]
        return {
          trainX: tf.gather(all, pick(dataset.split.train)) as Tensor2D, // [Ntrain, F]
          trainY: tf.gather(labels, pick(dataset.split.train)) as Tensor1D,
          valX: tf.gather(all, pick(dataset.split.validation)) as Tensor2D, // [Nval, F]
          valY: tf.gather(labels, pick(dataset.split.validation)) as Tensor1D,
        };
      }),
      numClasses: outputSize(dataset),
      classes: dataset.classes,
      regression: targetScaleOf(dataset),
    };
  }

  stop(): void {
    if (this.running) {
      this.stopRequested = true;
      // A paused run must wake up to see the stop.
      this.gate.resume();
      this.emit({ type: 'runState', state: 'stopping' });
    }
  }

  pause(): void {
    if (!this.running || this.stopRequested || this.gate.paused) return;
    this.gate.pause();
    this.emit({ type: 'runState', state: 'paused' });
  }

  resume(): void {
    if (!this.gate.paused) return;
    this.gate.resume();
    if (this.running && !this.stopRequested) this.emit({ type: 'runState', state: 'training' });
  }

  async predict(image: Blob): Promise<Prediction> {
    const trained = this.requireTrained('try it');
    if (trained.base.summary.inputKind !== 'image') throw new EngineError('bad-input', 'The last run was trained on a table: fill in a row to try it.');
    const [h, w, c] = trained.base.summary.inputShape as [number, number, number];
    let rgb: Uint8Array;
    try {
      rgb = toChannels((await this.platform.decodeImage(image, w, h)).rgb, h * w, c);
    } catch (e) {
      throw new EngineError('image-corrupt', `That image could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    const one = imageTrainingSet({ name: 'try', classes: [], paths: [], labels: new Int32Array(1), pixels: rgb, size: [h, w, c], split: { train: [], validation: [] }, summary: null as never });
    return predictOne(trained, inputBatch(trained.base, one, [0])); // [1, H, W, C]
  }

  async predictRow(values: Record<string, string>): Promise<Prediction> {
    const trained = this.requireTrained('try it');
    return predictOne(trained, encodeRow(trained.dataset, values)); // [1, F]
  }

  async exportWeights(): Promise<ExportedWeights> {
    const trained = this.requireTrained('download weights');
    const { kernel, bias } = await this.snapshotHead(trained.head);
    return exportHead({ ...trained, kernel, bias, createdAt: new Date() });
  }

  /** The whole run in one zip: manifest, head, PEFT adapter (when the plan has one), merged TF.js model. */
  async exportBundle(): Promise<ExportedBundle> {
    const trained = this.requireTrained('download the bundle');
    const { kernel, bias } = await this.snapshotHead(trained.head);
    const weights = await exportHead({ ...trained, kernel, bias, createdAt: new Date() });
    return exportBundle({ ...trained, kernel, bias, weights, regression: targetScaleOf(trained.dataset) });
  }

  dispose(): void {
    this.stopRequested = true;
    this.lm.dispose();
    this.disposeFeatures();
    this.replaceTrained(null);
    this.disposeBase();
  }

  private async featuresFor(base: BaseModel, dataset: TrainingSet): Promise<Tensor2D> {
    // Keyed on the inputs: an image re-split reuses them, a new import or model does not. (A table's
    // re-split refits its encoder, so its inputs change and the features are computed again.)
    if (this.features && this.features.key === dataset.inputsKey && this.features.base === base) return this.features.x;
    this.disposeFeatures();
    const x = await computeFeatures(base, dataset, (done, total) =>
      this.emit({ type: 'progress', task: 'features', done, total, label: `Computing base features ${done}/${total}` }),
    );
    this.features = { key: dataset.inputsKey, base, x };
    return x;
  }

  private async snapshotHead(head: Head): Promise<{ kernel: Float32Array; bias: Float32Array }> {
    const [kernel, bias] = await Promise.all([head.kernel.data(), head.bias.data()]);
    return { kernel: Float32Array.from(kernel), bias: Float32Array.from(bias) };
  }

  private disposeFeatures(): void {
    this.features?.x.dispose();
    this.features = null;
  }

  private disposeBase(): void {
    // The trained head keeps a reference to its base for predict: only dispose a base nobody uses.
    if (this.base && this.trained?.base !== this.base) this.base.model.dispose();
    this.base = null;
  }

  /** Swaps the finished run, freeing the old one. */
  private replaceTrained(next: Trained | null): void {
    const old = this.trained;
    this.trained = next;
    this.disposeRun(old);
  }

  /** Frees a run's head, adapters and, unless still in use, the model it was trained on. */
  private disposeRun(run: Trained | null): void {
    if (!run) return;
    disposeHead(run.head);
    disposeLoraAdapters(run.adapters);
    if (run.base !== this.base && run.base !== this.trained?.base) run.base.model.dispose();
  }

  private backendName(): string {
    return this.backend?.name ?? tf.getBackend();
  }

  private assertIdle(what: string): void {
    if (this.running) throw new EngineError('busy', `Training is running: stop it first to ${what}.`);
  }

  private requireBase(): BaseModel {
    if (!this.base) throw new EngineError('no-model', 'No base model is loaded yet: pick the built-in model or load one.');
    return this.base;
  }

  private requireDataset(): TrainingSet {
    if (!this.dataset) throw new EngineError('no-dataset', 'No dataset is loaded yet: drop a folder with one sub-folder per class.');
    return this.dataset;
  }

  private requireTrained(what: string): Trained {
    if (!this.trained) throw new EngineError('not-trained', `Train the model first, then ${what}.`);
    return this.trained;
  }
}
