/**
 * The engine: one object that owns the backend, the base model, the dataset, the trained head and
 * the run. It is plain TypeScript over TF.js, so the same class runs in the studio's Worker and in
 * Node (tests, command line). Long work reports through `emit`; failures are EngineErrors.
 */
import type {
  BackendChoice,
  BackendReport,
  DatasetFile,
  DatasetSummary,
  EngineEvent,
  ExportedWeights,
  ModelSummary,
  Prediction,
  SplitOptions,
  TrainConfig,
  TrainResult,
} from './api.ts';
import { startBackend } from './backend/startBackend.ts';
import type { ImageDecoder } from './data/decodeImage.ts';
import { importImageDataset, resplit, type ImageDataset } from './data/imageDataset.ts';
import { createRng } from './data/rng.ts';
import { EngineError } from './errors.ts';
import { exportHead } from './export/headExport.ts';
import { loadBaseModel, type BaseModel } from './models/baseModel.ts';
import { computeFeatures } from './models/features.ts';
import { tf, type Tensor1D, type Tensor2D } from './tf.ts';
import { createHead, disposeHead, headFromValues, headLogits, type Head } from './train/head.ts';
import { stepsPerEpoch, trainHead } from './train/loop.ts';
import { validateTrainConfig } from './train/validateTrainConfig.ts';

export interface EnginePlatform {
  decodeImage: ImageDecoder;
  fetch?: typeof fetch;
}

/** A finished (or stopped) run: what predict and export use. Survives new imports until the next run ends. */
interface Trained {
  head: Head;
  base: BaseModel;
  dataset: ImageDataset;
  config: TrainConfig;
  result: TrainResult;
  backend: string;
}

export class Engine {
  private backend: BackendReport | null = null;
  private base: BaseModel | null = null;
  private dataset: ImageDataset | null = null;
  private features: { key: object; base: BaseModel; x: Tensor2D } | null = null;
  private trained: Trained | null = null;
  private running = false;
  private stopRequested = false;

  constructor(
    private readonly platform: EnginePlatform,
    private readonly emit: (event: EngineEvent) => void = () => {},
  ) {}

  async setBackend(choice: BackendChoice): Promise<BackendReport> {
    this.assertIdle('switch the backend');
    // Tensors live on their backend: keep the trained head as plain numbers and reload the models
    // (current and trained-on, which may differ) on the new backend.
    const saved = this.trained ? await this.snapshotHead(this.trained.head) : null;
    const currentUrl = this.base?.url ?? null;
    const trainedUrl = this.trained?.base.url ?? null;
    const report = await startBackend(choice);
    this.disposeFeatures();
    const load = (url: string | null) => (url ? loadBaseModel(url, this.platform.fetch) : Promise.resolve(null));
    const base = await load(currentUrl);
    const trainedBase = trainedUrl === currentUrl ? base : await load(trainedUrl);
    const oldBases = new Set([this.base, this.trained?.base]);
    for (const old of oldBases) old?.model.dispose();
    this.base = base;
    if (this.trained && saved && trainedBase) {
      disposeHead(this.trained.head);
      const { featureSize } = trainedBase.summary;
      this.trained = { ...this.trained, base: trainedBase, head: headFromValues(saved.kernel, saved.bias, featureSize, saved.bias.length) };
    }
    this.backend = report;
    this.emit({ type: 'backend', report });
    return report;
  }

  async loadModel(modelJsonUrl: string): Promise<ModelSummary> {
    this.assertIdle('load another model');
    if (!this.backend) await this.setBackend('auto');
    this.emit({ type: 'progress', task: 'load-model', done: 0, total: 1, label: 'Loading model' });
    const base = await loadBaseModel(modelJsonUrl, this.platform.fetch);
    this.disposeFeatures();
    this.disposeBase();
    this.base = base;
    this.emit({ type: 'progress', task: 'load-model', done: 1, total: 1, label: 'Model loaded' });
    return base.summary;
  }

  async importImages(name: string, files: DatasetFile[], split: SplitOptions): Promise<DatasetSummary> {
    const base = this.requireBase();
    const [h, w] = base.summary.inputShape;
    const dataset = await importImageDataset(name, files, split, [h, w], this.platform.decodeImage, (done, total, path) =>
      this.emit({ type: 'progress', task: 'import', done, total, label: path }),
    );
    // Only now, with the new dataset complete, is the previous one replaced.
    this.disposeFeatures();
    this.dataset = dataset;
    return dataset.summary;
  }

  /** Changes the validation fraction or seed without decoding the images again. */
  setSplit(split: SplitOptions): DatasetSummary {
    this.assertIdle('change the split');
    const dataset = this.requireDataset();
    this.dataset = resplit(dataset, split);
    return this.dataset.summary;
  }

  async train(config: TrainConfig): Promise<TrainResult> {
    this.assertIdle('start another run');
    validateTrainConfig(config);
    const base = this.requireBase();
    const dataset = this.requireDataset();
    if (dataset.split.train.length === 0) throw new EngineError('dataset-too-small', 'The training split is empty: lower the validation fraction.');
    this.running = true;
    this.stopRequested = false;
    this.emit({ type: 'runState', state: 'preparing' });
    let head: Head | null = null;
    try {
      const all = await this.featuresFor(base, dataset);
      const { trainX, trainY, valX, valY } = tf.tidy(() => {
        const pick = (idx: number[]) => tf.tensor1d(idx, 'int32'); // [n]
        const labels = tf.tensor1d(dataset.labels, 'int32'); // [N]
        return {
          trainX: tf.gather(all, pick(dataset.split.train)) as Tensor2D, // [Ntrain, F]
          trainY: tf.gather(labels, pick(dataset.split.train)) as Tensor1D,
          valX: tf.gather(all, pick(dataset.split.validation)) as Tensor2D, // [Nval, F]
          valY: tf.gather(labels, pick(dataset.split.validation)) as Tensor1D,
        };
      });
      try {
        head = createHead(base.summary.featureSize, dataset.classes.length, createRng(config.seed));
        this.emit({ type: 'runState', state: 'training' });
        const result = await trainHead(head, { trainX, trainY, valX, valY, numClasses: dataset.classes.length, classes: dataset.classes }, config, {
          onStep: (point, totalSteps, elapsedMs) => this.emit({ type: 'step', point, totalSteps, elapsedMs }),
          onEpoch: (point) => this.emit({ type: 'epoch', point }),
          shouldStop: () => this.stopRequested,
        });
        if (result.steps > 0) {
          this.replaceTrained({ head, base, dataset, config, result, backend: this.backend?.name ?? tf.getBackend() });
          head = null;
        }
        this.emit({ type: 'runState', state: result.state });
        return result;
      } finally {
        for (const t of [trainX, trainY, valX, valY]) t.dispose();
      }
    } catch (e) {
      this.emit({ type: 'runState', state: 'error' });
      throw e;
    } finally {
      if (head) disposeHead(head);
      this.running = false;
    }
  }

  stop(): void {
    if (this.running) {
      this.stopRequested = true;
      this.emit({ type: 'runState', state: 'stopping' });
    }
  }

  async predict(image: Blob): Promise<Prediction> {
    const trained = this.requireTrained('try it');
    const [h, w, c] = trained.base.summary.inputShape;
    let rgb: Uint8Array;
    try {
      rgb = (await this.platform.decodeImage(image, w, h)).rgb;
    } catch (e) {
      throw new EngineError('image-corrupt', `That image could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(rgb), [1, h, w, c]).mul(trained.base.pixelScale); // [1, H, W, C]
      const f = trained.base.features.predict(x) as Tensor2D; // [1, F]
      return tf.softmax(headLogits(trained.head, f)); // [1, K]
    });
    const values = Array.from(await probs.data());
    probs.dispose();
    return { classes: [...trained.dataset.classes], probabilities: values };
  }

  async exportWeights(): Promise<ExportedWeights> {
    const trained = this.requireTrained('download weights');
    const { kernel, bias } = await this.snapshotHead(trained.head);
    return exportHead({ ...trained, kernel, bias, createdAt: new Date() });
  }

  /** Steps a run with this config will take on the current dataset (for the UI's estimate). */
  plannedSteps(config: TrainConfig): number {
    return this.dataset ? stepsPerEpoch(this.dataset.split.train.length, config.batchSize) * config.epochs : 0;
  }

  get isRunning(): boolean {
    return this.running;
  }

  dispose(): void {
    this.stopRequested = true;
    this.disposeFeatures();
    this.replaceTrained(null);
    this.disposeBase();
  }

  private async featuresFor(base: BaseModel, dataset: ImageDataset): Promise<Tensor2D> {
    // Keyed on the decoded pixels: a re-split reuses them, a new import or model does not.
    if (this.features && this.features.key === dataset.pixels && this.features.base === base) return this.features.x;
    this.disposeFeatures();
    const x = await computeFeatures(base, dataset.pixels, dataset.labels.length, (done, total) =>
      this.emit({ type: 'progress', task: 'features', done, total, label: `Computing base features ${done}/${total}` }),
    );
    this.features = { key: dataset.pixels, base, x };
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

  /** Swaps the finished run, freeing the old head and, unless still loaded, the model it was trained on. */
  private replaceTrained(next: Trained | null): void {
    const old = this.trained;
    this.trained = next;
    if (!old) return;
    disposeHead(old.head);
    if (old.base !== this.base && old.base !== next?.base) old.base.model.dispose();
  }

  private assertIdle(what: string): void {
    if (this.running) throw new EngineError('busy', `Training is running: stop it first to ${what}.`);
  }

  private requireBase(): BaseModel {
    if (!this.base) throw new EngineError('no-model', 'No base model is loaded yet: pick the built-in model or load one.');
    return this.base;
  }

  private requireDataset(): ImageDataset {
    if (!this.dataset) throw new EngineError('no-dataset', 'No dataset is loaded yet: drop a folder with one sub-folder per class.');
    return this.dataset;
  }

  private requireTrained(what: string): Trained {
    if (!this.trained) throw new EngineError('not-trained', `Train the model first, then ${what}.`);
    return this.trained;
  }
}
