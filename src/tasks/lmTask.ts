/**
 * The causal-LM task: one loaded Hugging Face causal LM with its tokenizer, a tokenized dataset,
 * the adapter plan, and the trained (or imported) adapter with its strength. Runs are set up in
 * lmRun.ts; generation, exports and adapter import in lmTry.ts.
 */
import type { LmDatasetOptions, LmDatasetSummary, LmLoadOptions, LmModelSource, LmModelSummary, LmPlanSummary, LmTrainConfig, LmTrainResult, PreferenceDatasetOptions, PreferenceDatasetSummary, TrainedRunInfo, TrainPlan } from '../api.ts';
import { deviceLimits } from '../backend/deviceLimits.ts';
import { lmSplit } from '../data/text/lmSplit.ts';
import type { LmDataset } from '../data/text/lmTypes.ts';
import { parseLmDataset } from '../data/text/parseLmDataset.ts';
import { EngineError } from '../errors.ts';
import { loraFromTensors, readPeftAdapter, writePeftAdapter } from '../lora/hfPeftFiles.ts';
import { countLmTrainable } from '../lora/hfPeftTargets.ts';
import { disposeLmLora, scaledLora } from '../lm/createLmLora.ts';
import { planLmMemory } from '../lm/lmMemoryPlan.ts';
import { summarizeLm, validateLmPlan } from '../lm/lmPlanSummary.ts';
import { disposeFull, stopIdsOf, withWeights } from '../lm/lmWeights.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { checkHfModelFits, hfReaderForSource } from '../models/hf/hfSources.ts';
import { disposeHfCausalLm, loadHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import type { PreparedRun, RunIdentity, Task, TaskContext } from '../session/task.ts';
import { defaultFileCache } from '../storage/fileCache.ts';
import { tf, type Variable } from '../tf.ts';
import type { LmTokenizer } from '../tokenizers/lmTokenizer.ts';
import { loadTokenizer } from '../tokenizers/loadTokenizer.ts';
import { importPreferences, type PreferenceData } from './lmPreferences.ts';
import { prepareLmRun } from './lmRun.ts';
import { lmRunIdentity, preferenceRunIdentity } from './lmRunIdentity.ts';
import { preparePreferenceRun } from './preferenceRun.ts';

/** Files a merged export copies from the loaded folder as they were. */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'special_tokens_map.json', 'generation_config.json'];

export interface LoadedLm {
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

export interface LmData {
  /** The file's text, kept so a backend switch can tokenize it again. */
  text: string;
  dataset: LmDataset;
  summary: LmDatasetSummary;
  train: number[];
  validation: number[];
}

/** What survives a backend switch: where the model came from, the dataset, the adapter as PEFT files. */
interface LmSaved {
  source: LmModelSource;
  data: { name: string; text: string; options: LmDatasetOptions } | null;
  prefs: { name: string; text: string; options: PreferenceDatasetOptions } | null;
  adapter: { config: string; safetensors: Uint8Array } | null;
  /** Fully trained projections' weights by tensor name. */
  full: { name: string; shape: number[]; values: Float32Array }[];
  plan: TrainPlan;
  strength: number;
  /** The plan the run was trained with (LoRA and full modules). */
  loraPlan: TrainPlan;
  /** The adapter was trained on the dataset loaded when the switch came. */
  ofCurrentData: boolean;
  /** ... and that dataset was the preference pairs. */
  ofPrefs: boolean;
}

export class LmTask implements Task<LmTrainConfig, LmTrainResult> {
  readonly kind = 'lm' as const;
  loaded: LoadedLm | null = null;
  data: LmData | null = null;
  /** Preference pairs (the preference objective's dataset), loaded beside the text dataset. */
  prefs: PreferenceData | null = null;
  plan: TrainPlan = {};
  lora: LmLora | null = null;
  /** The plan the adapter was trained (or imported) with. */
  loraPlan: TrainPlan = {};
  /**
   * Fully trained projections: trainable copies of their weights (and biases) by tensor name. The
   * loaded model keeps the originals, so "base" stays the base; adaptedLm() swaps these in.
   */
  full = new Map<string, Variable>();
  strength = 1;
  /** The dataset (text or preference pairs) the adapter was trained on (null: imported, or none). */
  trainedOn: LmData | PreferenceData | null = null;

  constructor(readonly context: TaskContext) {}

  async loadModel(source: LmModelSource, options: LmLoadOptions = {}): Promise<LmModelSummary> {
    const progress = (fraction: number, label: string) => this.context.emit({ type: 'progress', task: 'load-model', done: fraction, total: 1, label });
    const reader = hfReaderForSource(source, {
      fetch: this.context.fetch,
      // Cache Storage in the browser (a reload downloads nothing again); nothing in Node.
      cache: defaultFileCache((e) =>
        this.context.emit({ type: 'log', level: 'warn', message: `${e.key} could not be kept in the browser's cache (${e.quota ? 'storage is full' : 'storage error'}); it will download again next time.` }),
      ),
      onProgress: (p) => progress(p.fraction ?? 0, `Downloading ${p.file}`),
    });
    const { label, read } = reader;
    progress(0, `Reading ${label}`);
    // Sized from the safetensors headers before any weight is downloaded: refuse what cannot fit.
    const limits = deviceLimits();
    await checkHfModelFits(reader, label, limits);
    const text = async (file: string): Promise<string | null> => {
      const bytes = await read(file);
      return bytes === null ? null : new TextDecoder().decode(bytes);
    };
    const tokenizerJson = await text('tokenizer.json');
    if (tokenizerJson === null) throw new EngineError('hf-tokenizer-missing', `${label}: tokenizer.json is missing; the folder needs it next to config.json to turn text into tokens.`);
    const tokenizer = loadTokenizer(tokenizerJson, await text('tokenizer_config.json'), label, { chatTemplate: await text('chat_template.jinja') });
    const lm = await loadHfCausalLm(read, label, (p) => progress(p.fraction, p.message), limits, options);
    for (const [name, count] of lm.half?.keptFloat32 ?? [])
      this.context.emit({ type: 'log', level: 'info', message: `${label}: ${name} stays float32 (${count} value(s) beyond float16's range).` });
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
      linesInFile: dataset.linesInFile,
      records: dataset.records,
      recordsUsed: dataset.recordsUsed,
      options: { ...options, maxLength },
    };
    this.data = { text, dataset, summary, ...split };
    return summary;
  }

  /** Reads a preference JSONL (TRL or OpenAI format) with the loaded tokenizer and makes it the preference dataset. */
  importPreferences(name: string, text: string, options: PreferenceDatasetOptions): PreferenceDatasetSummary {
    this.prefs = importPreferences(this, name, text, options);
    return this.prefs.summary;
  }

  setPlan(plan: TrainPlan, batchSize: number, maxLength: number, gradientCheckpointing?: boolean, pairs?: boolean): LmPlanSummary {
    const { lm, summary } = this.requireModel();
    validateLmPlan(lm, plan);
    this.plan = structuredClone(plan);
    const trainable = countLmTrainable(lm.modules, plan);
    // As the run will be: with gradient checkpointing when the estimate says it would not fit without.
    const memory = planLmMemory(lm.config, summary.totalParams, { weightBytes: summary.weightBytes, batch: batchSize, maxLength, trainableParams: trainable, gradientCheckpointing, pairs }, this.context.backendName(), deviceLimits());
    return {
      plan: this.plan,
      trainableParams: trainable,
      totalParams: summary.totalParams,
      memoryBytes: memory.estimate.totalBytes,
      gradientCheckpointing: memory.estimate.checkpointing,
      memoryBudgetBytes: memory.budget,
    };
  }

  runIdentity(config?: LmTrainConfig): RunIdentity {
    return config?.preference ? preferenceRunIdentity(this.requireModel(), this.requirePreferences()) : lmRunIdentity(this.requireModel(), this.requireData());
  }

  currentPlan(): TrainPlan {
    return this.plan;
  }

  checkPlan(plan: TrainPlan): void {
    validateLmPlan(this.requireModel().lm, plan);
  }

  prepareRun(config: LmTrainConfig, plan: TrainPlan): Promise<PreparedRun<LmTrainResult>> {
    return config.preference ? preparePreferenceRun(this, config, plan) : prepareLmRun(this, config, plan);
  }

  /** Keeps a finished run's adapter and fully trained weights (the previous ones are freed). */
  keepTrained(lora: LmLora, full: Map<string, Variable>, plan: TrainPlan, trainedOn: LmData | PreferenceData | null): void {
    if (this.lora && this.lora !== lora) disposeLmLora(this.lora);
    if (full !== this.full) disposeFull(this.full);
    this.lora = lora;
    this.full = full;
    this.loraPlan = structuredClone(plan);
    this.strength = 1;
    this.trainedOn = trainedOn;
  }

  trainedRunInfo(): TrainedRunInfo {
    const present = this.lora !== null || this.full.size > 0;
    const stale = present && this.trainedOn !== null && this.trainedOn !== this.data && this.trainedOn !== this.prefs;
    return { task: 'lm', present, stale, reason: stale ? 'The dataset (or its split) changed since this adapter was trained.' : null };
  }

  /** The model as trained: fully trained projections swapped in (LoRA is applied on top by the caller). */
  adaptedLm(): HfCausalLm {
    return withWeights(this.requireModel().lm, this.full);
  }

  /** For `tabtune logits` and tests: the loaded model and adapter. */
  current(): { lm: HfCausalLm; tokenizer: LmTokenizer; lora: LmLora | null } {
    const { lm, tokenizer } = this.requireModel();
    return { lm: withWeights(lm, this.full), tokenizer, lora: this.lora ? scaledLora(this.lora, this.strength) : null };
  }

  async save(lost: boolean): Promise<LmSaved | null> {
    if (!this.loaded) return null;
    const data = this.data ? { name: this.data.summary.name, text: this.data.text, options: this.data.summary.options } : null;
    const prefs = this.prefs ? { name: this.prefs.summary.name, text: this.prefs.text, options: this.prefs.summary.options } : null;
    const ofCurrentData = this.trainedOn !== null && (this.trainedOn === this.data || this.trainedOn === this.prefs);
    const base = { source: this.loaded.source, data, prefs, plan: structuredClone(this.plan), ofCurrentData, ofPrefs: this.trainedOn !== null && this.trainedOn === this.prefs };
    // A lost device's tensors cannot be read: only where the model and data came from survives.
    if (lost) return { ...base, adapter: null, full: [], strength: 1, loraPlan: {} };
    const loraOnly = Object.fromEntries(Object.entries(this.loraPlan).filter(([, m]) => m.kind === 'lora'));
    const adapter = this.lora && this.lora.size > 0 ? await writePeftAdapter(this.lora, loraOnly, this.loaded.lm.modules, { arch: this.loaded.lm.config.architecture }) : null;
    const full = await Promise.all([...this.full].map(async ([name, v]) => ({ name, shape: v.shape, values: Float32Array.from(await v.data()) })));
    return { ...base, adapter, full, strength: this.strength, loraPlan: structuredClone(this.loraPlan) };
  }

  /** Loads what `save` kept on the current backend: the model again (cached downloads), the dataset, the adapter. */
  async restore(saved: unknown): Promise<void> {
    this.dispose();
    const s = saved as LmSaved | null;
    if (!s) return;
    await this.loadModel(s.source);
    if (s.data) this.importText(s.data.name, s.data.text, s.data.options);
    if (s.prefs) this.importPreferences(s.prefs.name, s.prefs.text, s.prefs.options);
    if (s.adapter) {
      const read = readPeftAdapter(s.adapter.config, s.adapter.safetensors, this.loaded!.lm.modules, 'adapter');
      this.lora = loraFromTensors(read.tensors, read.plan);
    }
    for (const w of s.full) this.full.set(w.name, tf.tidy(() => tf.variable(tf.tensor(w.values, w.shape), true)));
    this.loraPlan = s.loraPlan;
    this.plan = s.plan;
    this.strength = s.strength;
    this.trainedOn = s.ofCurrentData ? (s.ofPrefs ? this.prefs : this.data) : null;
  }

  dispose(): void {
    if (this.lora) disposeLmLora(this.lora);
    disposeFull(this.full);
    this.full = new Map();
    this.lora = null;
    this.loraPlan = {};
    this.trainedOn = null;
    if (this.loaded) disposeHfCausalLm(this.loaded.lm);
    this.loaded = null;
    this.data = null;
    this.prefs = null;
    this.plan = {};
  }

  requireModel(): LoadedLm {
    if (!this.loaded) throw new EngineError('no-model', 'No language model is loaded yet: load the built-in one, a Hub id, or a model folder.');
    return this.loaded;
  }

  requirePreferences(): PreferenceData {
    if (!this.prefs) throw new EngineError('no-dataset', 'No preference pairs are loaded yet: drop a preference .jsonl file ({"prompt", "chosen", "rejected"} per line).');
    return this.prefs;
  }

  requireData(): LmData {
    if (!this.data) throw new EngineError('no-dataset', 'No text dataset is loaded yet: drop a .jsonl or .txt file.');
    return this.data;
  }
}
