/**
 * The language-model half of the engine: one loaded Hugging Face causal LM with its tokenizer, a
 * tokenized dataset, the adapter plan, the trained (or imported) adapter and its strength.
 * Engine delegates its lm* methods here; the Engine owns the backend and the busy/stop flags.
 */
import type {
  DatasetFile,
  EngineEvent,
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
} from '../api.ts';
import { strToU8, zipSync } from 'fflate';
import { createRng } from '../data/rng.ts';
import { lmSplit } from '../data/text/lmSplit.ts';
import { parseLmDataset } from '../data/text/parseLmDataset.ts';
import type { LmDataset } from '../data/text/lmTypes.ts';
import { EngineError } from '../errors.ts';
import { countLmTrainable } from '../lora/hfPeftTargets.ts';
import { loraFromTensors, readPeftAdapter, writePeftAdapter } from '../lora/hfPeftFiles.ts';
import { checkHfModelFits, hfReaderForSource } from '../models/hf/hfSources.ts';
import { defaultFileCache } from '../storage/fileCache.ts';
import { currentWebGpuDevice } from '../backend/registerWebGpuBackend.ts';
import type { DeviceLimits } from '../models/hf/hfMemory.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { mergeLora } from '../models/hf/mergeLora.ts';
import { saveHfSafetensors } from '../models/hf/saveHfSafetensors.ts';
import { tf, type Variable } from '../tf.ts';
import { loadTokenizer } from '../tokenizers/loadTokenizer.ts';
import type { LmTokenizer } from '../tokenizers/lmTokenizer.ts';
import { createLmLora, disposeLmLora, scaledLora } from './createLmLora.ts';
import { generateText } from './generateText.ts';
import { lmValidationLoss } from './lmValidation.ts';
import { planParams, summarizeLm, validateLmPlan } from './lmPlanSummary.ts';
import { runLmTraining } from './runLmTraining.ts';
import type { CheckpointStore } from '../storage/checkpointStore.ts';
import { CheckpointRecorder, checkpointsOn, fingerprint, loadCheckpoint, newRunId, resumeMismatch, resumedConfig, type Checkpoint, type CheckpointMeta } from '../train/checkpoint.ts';

/** Files a merged export copies from the loaded folder as they were. */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'special_tokens_map.json', 'generation_config.json'];
const SAMPLE_TOKENS = 24;

interface LoadedLm {
  lm: HfCausalLm;
  tokenizer: LmTokenizer;
  summary: LmModelSummary;
  /** Raw files kept for a merged export (tokenizer, generation config). */
  extraFiles: Map<string, Uint8Array>;
  label: string;
  source: LmModelSource;
  /** Ids that end a generation: EOS ids of config.json and generation_config.json, and ChatML's <|im_end|>. */
  stopIds: Set<number>;
}

/** What survives a backend switch: where the model came from, the dataset, the adapter as PEFT files. */
export interface LmSnapshot {
  source: LmModelSource;
  data: { name: string; text: string; options: LmDatasetOptions } | null;
  adapter: { config: string; safetensors: Uint8Array } | null;
  /** Fully trained projections' weights by tensor name. */
  full?: { name: string; shape: number[]; values: Float32Array }[];
  plan: LmPlan;
  strength: number;
  /** The plan the run was trained with (LoRA and full modules). */
  loraPlan?: LmPlan;
}

interface LmData {
  /** The file's text, kept so a backend switch can tokenize it again. */
  text: string;
  dataset: LmDataset;
  summary: LmDatasetSummary;
  train: number[];
  validation: number[];
}

export interface LmSessionHooks {
  emit(event: EngineEvent): void;
  fetch?: typeof fetch;
  shouldStop(): boolean;
  waitIfPaused(): Promise<void>;
  /** GPU limits for the "will it fit" check, when known. */
  deviceLimits?(): { maxBufferSize?: number; maxStorageBufferBindingSize?: number; deviceMemory?: number };
  /** Where checkpoints go; absent: none are saved. */
  checkpoints?: CheckpointStore;
  /** Called after the first checkpoint is saved (the engine asks for persistent storage then). */
  onCheckpointSaved?(): void;
}

export class LmSession {
  private loaded: LoadedLm | null = null;
  private data: LmData | null = null;
  private plan: LmPlan = {};
  private lora: LmLora | null = null;
  /** The plan the adapter was trained (or imported) with. */
  private loraPlan: LmPlan = {};
  /**
   * Fully trained projections: trainable copies of their weights (and biases) by tensor name. The
   * loaded model keeps the originals, so "base" stays the base; adaptedLm() swaps these in.
   */
  private full = new Map<string, Variable>();
  private strength = 1;

  constructor(private readonly hooks: LmSessionHooks) {}

  async loadModel(source: LmModelSource): Promise<LmModelSummary> {
    const progress = (fraction: number, label: string) => this.hooks.emit({ type: 'progress', task: 'load-model', done: fraction, total: 1, label });
    const reader = hfReaderForSource(source, {
      fetch: this.hooks.fetch,
      // Cache Storage in the browser (a reload downloads nothing again); nothing in Node.
      cache: defaultFileCache((e) =>
        this.hooks.emit({ type: 'log', level: 'warn', message: `${e.key} could not be kept in the browser's cache (${e.quota ? 'storage is full' : 'storage error'}); it will download again next time.` }),
      ),
      onProgress: (p) => progress(p.fraction ?? 0, `Downloading ${p.file}`),
    });
    const { label, read } = reader;
    progress(0, `Reading ${label}`);
    // Sized from the safetensors headers before any weight is downloaded: refuse what cannot fit.
    await checkHfModelFits(reader, label, deviceLimits());
    const text = async (file: string): Promise<string | null> => {
      const bytes = await read(file);
      return bytes === null ? null : new TextDecoder().decode(bytes);
    };
    const tokenizerJson = await text('tokenizer.json');
    if (tokenizerJson === null) throw new EngineError('hf-tokenizer-missing', `${label}: tokenizer.json is missing; the folder needs it next to config.json to turn text into tokens.`);
    const tokenizer = loadTokenizer(tokenizerJson, await text('tokenizer_config.json'), label, { chatTemplate: await text('chat_template.jinja') });
    const lm = await loadHfCausalLm(read, label, (p) => progress(p.fraction, p.message));
    const extraFiles = new Map<string, Uint8Array>();
    for (const file of TOKENIZER_FILES) {
      const bytes = await read(file);
      if (bytes) extraFiles.set(file, bytes);
    }
    this.dispose();
    this.loaded = { lm, tokenizer, summary: summarizeLm(lm, label, tokenizer), extraFiles, label, source, stopIds: stopIdsOf(lm, tokenizer, extraFiles.get('generation_config.json')) };
    progress(1, `Loaded ${label}`);
    return this.loaded.summary;
  }

  importText(name: string, text: string, options: LmDatasetOptions): LmDatasetSummary {
    const { tokenizer, lm } = this.requireModel();
    const maxLength = Math.min(options.maxLength, lm.config.maxPositions);
    const dataset = parseLmDataset({ name, text }, tokenizer, { maxLength, packing: options.packing, trainOnPrompt: options.trainOnPrompt });
    const split = lmSplit(dataset.examples.length, options.validationFraction, options.seed);
    const summary: LmDatasetSummary = {
      name,
      format: dataset.format,
      examples: dataset.examples.length,
      train: split.train.length,
      validation: split.validation.length,
      totalTokens: dataset.totalTokens,
      trainedTokens: dataset.trainedTokens,
      truncated: dataset.truncated,
      histogram: { ...dataset.tokenCounts, above: dataset.tokenCounts.above },
      issues: dataset.issues,
      badLines: dataset.badLines,
      options: { ...options, maxLength },
    };
    this.data = { text, dataset, summary, ...split };
    return summary;
  }

  setPlan(plan: LmPlan, batchSize: number, maxLength: number): LmPlanSummary {
    const { lm } = this.requireModel();
    validateLmPlan(lm, plan);
    this.plan = structuredClone(plan);
    const trainable = countLmTrainable(lm.modules, plan);
    const total = this.loaded!.summary.totalParams;
    const activations = batchSize * maxLength * lm.config.hiddenSize * lm.config.numLayers * 16 * 4 + batchSize * maxLength * lm.config.vocabSize * 4 * 2;
    return { plan: this.plan, trainableParams: trainable, totalParams: total, memoryBytes: total * 4 + trainable * 4 * 3 + activations };
  }

  /** What identifies the loaded model and dataset for a resume. */
  private identity(): { model: CheckpointMeta['model']; dataset: CheckpointMeta['dataset'] } {
    const { summary, label } = this.requireModel();
    const data = this.requireData();
    return {
      model: { name: label, params: summary.totalParams },
      dataset: {
        name: data.summary.name,
        rows: data.dataset.examples.length,
        hash: fingerprint(data.summary.format, data.summary.totalTokens, data.summary.trainedTokens, JSON.stringify(data.summary.options), data.train, data.validation),
      },
    };
  }

  async train(asked: LmTrainConfig): Promise<LmTrainResult> {
    const { lm, tokenizer } = this.requireModel();
    const data = this.requireData();
    const { model, dataset } = this.identity();
    let resume: Checkpoint | null = null;
    if (asked.resumeFrom) {
      resume = await loadCheckpoint(this.hooks.checkpoints, asked.resumeFrom);
      const mismatch = resumeMismatch(resume.meta, 'lm', model, dataset);
      if (mismatch) throw new EngineError('resume-mismatch', mismatch);
      if (resume.meta.finished) throw new EngineError('resume-finished', 'That run finished: there is nothing left to resume.');
    }
    const config: LmTrainConfig = resume ? resumedConfig(resume.meta.config as LmTrainConfig, asked) : asked;
    if (data.train.length === 0) throw new EngineError('dataset-too-small', 'The training split is empty: lower the validation fraction.');
    const plan: LmPlan = resume ? (resume.meta.plan as LmPlan) : this.plan;
    if (resume) validateLmPlan(lm, plan);
    const store = this.hooks.checkpoints;
    const recorder =
      store && checkpointsOn(config.checkpoint)
        ? new CheckpointRecorder(
            store,
            { version: 1, runId: resume?.meta.runId ?? newRunId(), kind: 'lm', startedAt: resume?.meta.startedAt ?? Date.now(), config: { ...config, resumeFrom: undefined }, plan, model, dataset },
            this.hooks.emit,
            () => this.hooks.onCheckpointSaved?.(),
          )
        : null;
    if (recorder && resume) recorder.lastSavedStep = resume.meta.step;
    const hasLora = Object.values(plan).some((m) => m.kind === 'lora');
    const hasFull = Object.values(plan).some((m) => m.kind === 'full');
    if (!hasLora && !hasFull) throw new EngineError('lora-plan-invalid', 'The plan trains nothing: put LoRA on at least one projection (for example the PEFT defaults), or train one in full.');
    const continuing = config.continueFromLastRun && (this.lora || this.full.size > 0) && JSON.stringify(this.loraPlan) === JSON.stringify(plan);
    const lora = continuing && this.lora ? this.lora : createLmLora(plan, lm.modules, createRng(config.seed ^ 0x5bd1e995));
    const full = continuing ? this.full : fullCopies(lm, plan);
    const trainLm = withWeights(lm, full);
    const params = [...planParams(lora), ...[...full].map(([name, variable]) => ({ variable, decay: !name.endsWith('.bias') }))];
    const rows = { examples: data.dataset.examples, maxLength: data.summary.options.maxLength, padId: tokenizer.padId };
    try {
      const outcome = await runLmTraining(
        { lm: trainLm, lora, params, train: data.train, validation: data.validation, ...rows },
        config,
        {
          onStep: (point, totalSteps, elapsedMs) => this.hooks.emit({ type: 'lmStep', point, totalSteps, elapsedMs }),
          onEval: (point) => this.hooks.emit({ type: 'lmEval', point }),
          shouldStop: () => this.hooks.shouldStop(),
          waitIfPaused: () => this.hooks.waitIfPaused(),
          onLog: (message, level = 'info') => this.hooks.emit({ type: 'log', level, message }),
          checkpoint: config.checkpoint,
          onCheckpoint: recorder ? async (state, final) => void (await recorder.write(state, final === 'done')) : undefined,
          resumeState: resume?.state,
          samples: async () => {
            const out = [];
            for (const prompt of config.samplePrompts.slice(0, 4)) {
              const ids = this.promptIds(prompt, tokenizer.chatTemplateSource !== 'default');
              const g = await generateText(trainLm, tokenizer, ids, { maxNewTokens: SAMPLE_TOKENS, temperature: 0, topK: 0, topP: 1, seed: 0, lora, stopIds: this.loaded!.stopIds });
              out.push({ prompt, text: g.text });
            }
            return out;
          },
        },
      );
      const baseValidationLoss = data.validation.length > 0 ? await lmValidationLoss(lm, undefined, rows, data.validation, config.batchSize) : Number.NaN;
      if (outcome.steps > 0 && (lora !== this.lora || full !== this.full)) {
        if (this.lora && this.lora !== lora) disposeLmLora(this.lora);
        if (full !== this.full) disposeFull(this.full);
        this.lora = lora;
        this.full = full;
        this.loraPlan = structuredClone(plan);
        this.strength = 1;
      }
      return { ...outcome, baseValidationLoss, ...(recorder && recorder.lastSavedStep !== null ? { runId: recorder.runId } : {}) };
    } catch (e) {
      if (lora !== this.lora) disposeLmLora(lora);
      if (full !== this.full) disposeFull(full);
      throw e;
    }
  }

  /** The model as trained: fully trained projections swapped in (LoRA is applied on top by the caller). */
  private adaptedLm(): HfCausalLm {
    return withWeights(this.requireModel().lm, this.full);
  }

  /** The prompt as ids: raw text, or a user turn through the chat template (with the assistant header). */
  private promptIds(prompt: string, chat: boolean): number[] {
    const { tokenizer } = this.requireModel();
    if (!chat) return tokenizer.encode(prompt);
    return tokenizer.encode(tokenizer.applyChatTemplate([{ role: 'user', content: prompt }], { addGenerationPrompt: true }), { addSpecialTokens: false });
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const { lm, tokenizer } = this.requireModel();
    const adapted = request.model === 'adapted';
    const lora = adapted && this.lora ? scaledLora(this.lora, this.strength) : undefined;
    const g = await generateText(adapted ? this.adaptedLm() : lm, tokenizer, this.promptIds(request.prompt, request.chat), {
      maxNewTokens: request.maxNewTokens,
      temperature: request.temperature,
      topK: request.topK,
      topP: request.topP,
      seed: request.seed,
      lora,
      stopIds: this.requireModel().stopIds,
      onText: (text) => this.hooks.emit({ type: 'lmToken', requestId: request.requestId, text }),
      shouldStop: () => this.hooks.shouldStop(),
    });
    return { requestId: request.requestId, text: g.text, tokens: g.ids.length, finish: g.finish };
  }

  async setStrength(strength: number): Promise<{ strength: number; validationLoss: number }> {
    if (!(strength >= 0 && strength <= 1)) throw new EngineError('bad-config', `The adapter strength must be between 0 and 1, not ${strength}.`);
    this.strength = strength;
    return { strength, validationLoss: await this.validationLoss() };
  }

  private async validationLoss(): Promise<number> {
    const { tokenizer } = this.requireModel();
    if (!this.data || this.data.validation.length === 0) return Number.NaN;
    const rows = { examples: this.data.dataset.examples, maxLength: this.data.summary.options.maxLength, padId: tokenizer.padId };
    return lmValidationLoss(this.adaptedLm(), this.lora ? scaledLora(this.lora, this.strength) : undefined, rows, this.data.validation, 8);
  }

  /** The adapter at the current strength: B scaled by it, which is PEFT's update scaled the same way. */
  private strengthLora(): { lora: LmLora; dispose: () => void } {
    // A run that only trained projections in full has no adapter: merging then just writes them.
    const lora = this.full.size > 0 && !this.lora ? new Map() : this.requireLora();
    if (this.strength === 1) return { lora, dispose: () => {} };
    const scaled: LmLora = new Map([...lora].map(([p, ad]) => [p, { ...ad, B: tf.tidy(() => tf.variable(ad.B.mul(this.strength), false)) }]));
    return { lora: scaled, dispose: () => scaled.forEach((ad) => ad.B.dispose()) };
  }

  async exportAdapter(): Promise<LmExport> {
    const { lm, label } = this.requireModel();
    const { lora, dispose } = this.strengthLora();
    try {
      const { config, safetensors } = await writePeftAdapter(lora, this.loraPlan, lm.modules, { arch: lm.config.architecture, baseModelNameOrPath: label });
      const files = { 'adapter_config.json': strToU8(config), 'adapter_model.safetensors': safetensors };
      return { name: `${slug(label)}-lora`, files, zip: zipSync(files, { level: 0 }) };
    } finally {
      dispose();
    }
  }

  async exportMerged(): Promise<LmExport> {
    const { lm, label, extraFiles } = this.requireModel();
    const { lora, dispose } = this.strengthLora();
    try {
      const weights = await mergeLora(this.adaptedLm(), lora);
      const files: Record<string, Uint8Array> = {
        'config.json': strToU8(JSON.stringify(lm.config.raw, null, 2)),
        'model.safetensors': await saveHfSafetensors(lm, weights),
      };
      for (const [name, bytes] of extraFiles) files[name] = bytes;
      return { name: `${slug(label)}-merged`, files, zip: zipSync(files, { level: 0 }) };
    } finally {
      dispose();
    }
  }

  async importAdapter(files: DatasetFile[]): Promise<{ plan: LmPlan; validationLoss: number }> {
    const { lm } = this.requireModel();
    const find = (name: string) => files.find((f) => f.path.split('/').pop() === name);
    const config = find('adapter_config.json');
    const weights = find('adapter_model.safetensors');
    if (!config || !weights) {
      throw new EngineError('peft-files-missing', `An adapter needs adapter_config.json and adapter_model.safetensors; got ${files.map((f) => f.path).join(', ') || 'no files'}.`);
    }
    const read = readPeftAdapter(await config.file.text(), new Uint8Array(await weights.file.arrayBuffer()), lm.modules, config.path.replace(/adapter_config\.json$/, '') || 'adapter');
    const lora = loraFromTensors(read.tensors, read.plan);
    if (this.lora) disposeLmLora(this.lora);
    disposeFull(this.full);
    this.full = new Map();
    this.lora = lora;
    this.loraPlan = structuredClone(read.plan);
    this.plan = structuredClone(read.plan);
    this.strength = 1;
    return { plan: read.plan, validationLoss: await this.validationLoss() };
  }

  /** Everything needed to rebuild this session on another backend (tensors live on their backend). */
  async snapshot(): Promise<LmSnapshot | null> {
    if (!this.loaded) return null;
    const loraOnly = Object.fromEntries(Object.entries(this.loraPlan).filter(([, m]) => m.kind === 'lora'));
    const adapter = this.lora && this.lora.size > 0 ? await writePeftAdapter(this.lora, loraOnly, this.loaded.lm.modules, { arch: this.loaded.lm.config.architecture }) : null;
    const data = this.data ? { name: this.data.summary.name, text: this.data.text, options: this.data.summary.options } : null;
    const full = await Promise.all([...this.full].map(async ([name, v]) => ({ name, shape: v.shape, values: Float32Array.from(await v.data()) })));
    return { source: this.loaded.source, data, adapter, full, plan: structuredClone(this.plan), strength: this.strength, loraPlan: structuredClone(this.loraPlan) };
  }

  /** Where the model and dataset came from, without reading any tensor (the device may be gone). */
  snapshotSource(): LmSnapshot | null {
    if (!this.loaded) return null;
    const data = this.data ? { name: this.data.summary.name, text: this.data.text, options: this.data.summary.options } : null;
    return { source: this.loaded.source, data, adapter: null, plan: structuredClone(this.plan), strength: 1 };
  }

  /** Loads a snapshot on the current backend: the model again (cached downloads), the dataset, the adapter. */
  async restore(snapshot: LmSnapshot): Promise<void> {
    await this.loadModel(snapshot.source);
    if (snapshot.data) this.importText(snapshot.data.name, snapshot.data.text, snapshot.data.options);
    if (snapshot.adapter) {
      const read = readPeftAdapter(snapshot.adapter.config, snapshot.adapter.safetensors, this.loaded!.lm.modules, 'adapter');
      this.lora = loraFromTensors(read.tensors, read.plan);
      this.loraPlan = read.plan;
    }
    for (const w of snapshot.full ?? []) this.full.set(w.name, tf.tidy(() => tf.variable(tf.tensor(w.values, w.shape), true)));
    if (snapshot.loraPlan) this.loraPlan = snapshot.loraPlan;
    this.plan = snapshot.plan;
    this.strength = snapshot.strength;
  }

  /** For `tabtune logits` and tests: the loaded model and adapter. */
  current(): { lm: HfCausalLm; tokenizer: LmTokenizer; lora: LmLora | null } {
    const { lm, tokenizer } = this.requireModel();
    return { lm: this.full.size > 0 ? withWeights(lm, this.full) : lm, tokenizer, lora: this.lora ? scaledLora(this.lora, this.strength) : null };
  }

  dispose(): void {
    if (this.lora) disposeLmLora(this.lora);
    disposeFull(this.full);
    this.full = new Map();
    this.lora = null;
    this.loraPlan = {};
    if (this.loaded) disposeHfCausalLm(this.loaded.lm);
    this.loaded = null;
    this.data = null;
    this.plan = {};
  }

  private requireModel(): LoadedLm {
    if (!this.loaded) throw new EngineError('no-model', 'No language model is loaded yet: load the built-in one, a Hub id, or a model folder.');
    return this.loaded;
  }

  private requireData(): LmData {
    if (!this.data) throw new EngineError('no-dataset', 'No text dataset is loaded yet: drop a .jsonl or .txt file.');
    return this.data;
  }

  private requireLora(): LmLora {
    if (!this.lora) throw new EngineError('not-trained', 'Train an adapter (or import one) first.');
    return this.lora;
  }
}

/** The running device's buffer limits (WebGPU), and the memory the browser admits to (navigator.deviceMemory, GiB). */
function deviceLimits(): DeviceLimits {
  const device = tf.getBackend() === 'webgpu' ? currentWebGpuDevice() : null;
  const memory = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory;
  return {
    ...(device ? { maxBufferSize: device.limits.maxBufferSize, maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize } : {}),
    ...(typeof memory === 'number' ? { deviceMemory: memory } : {}),
  };
}

function stopIdsOf(lm: HfCausalLm, tokenizer: LmTokenizer, generationConfig: Uint8Array | undefined): Set<number> {
  const ids = new Set<number>();
  const add = (v: unknown): void => {
    if (typeof v === 'number') ids.add(v);
    if (Array.isArray(v)) v.forEach(add);
  };
  add(lm.config.eosTokenId);
  if (generationConfig) {
    try {
      add((JSON.parse(new TextDecoder().decode(generationConfig)) as { eos_token_id?: unknown }).eos_token_id);
    } catch {
      // generation_config.json is optional advice; a broken one only loses its stop ids.
    }
  }
  const imEnd = tokenizer.tokenToId('<|im_end|>');
  if (imEnd !== null) ids.add(imEnd);
  return ids;
}

/** Trainable copies of the weights (and biases) of the plan's fully trained projections. */
function fullCopies(lm: HfCausalLm, plan: LmPlan): Map<string, Variable> {
  const out = new Map<string, Variable>();
  for (const m of lm.modules) {
    if (plan[m.path]?.kind !== 'full') continue;
    for (const name of [`${m.path}.weight`, ...(m.hasBias ? [`${m.path}.bias`] : [])]) out.set(name, tf.variable(lm.weights.get(name)!, true));
  }
  return out;
}

/** The model with some weights replaced (same config and modules; nothing copied). */
function withWeights(lm: HfCausalLm, replaced: Map<string, Variable>): HfCausalLm {
  return replaced.size === 0 ? lm : { ...lm, weights: new Map([...lm.weights, ...replaced]) };
}

function disposeFull(full: Map<string, Variable>): void {
  for (const v of full.values()) v.dispose();
  full.clear();
}

function slug(s: string): string {
  return s.toLowerCase().replace(/^https?:\/\//, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'model';
}
