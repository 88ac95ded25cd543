/**
 * `tabtune train --task lm`: LoRA on a Hugging Face causal LM from a text dataset, in Node with the
 * studio's engine. Writes the PEFT adapter (adapter/), metrics.json and, with --merged, the merged folder.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_LM_DATASET_OPTIONS, DEFAULT_LM_TRAIN_CONFIG, type EvalPoint, type LmDatasetOptions, type LmLoadOptions, type LmModelSource, type LmModelSummary, type LmPlanSummary, type LmTrainConfig, type StepPoint, type TrainPlan } from '../api.ts';
import { wasmHeapBytes } from '../backend/explainOutOfMemory.ts';
import { EngineError } from '../errors.ts';
import { formatBytes } from '../models/hf/hfMemory.ts';
import { backendOf, BACKEND_OPTION, num, parse, str, UsageError, type Options, type Parsed } from './args.ts';
import type { Io } from './main.ts';
import { backendLine, readDatasetFolder, startEngine } from './nodeEngine.ts';

export const TRAIN_LM_USAGE =
  'tabtune train --task lm --model <HF folder | Hub id | URL> --data <file.jsonl | file.txt> --out <dir> ' +
  '[--lora-r R] [--lora-alpha A] [--lora-targets q_proj,v_proj | all-linear] [--lora-dropout X] [--rslora] [--max-len N] [--packing] [--train-on-prompt] ' +
  '[--steps N] [--batch N] [--grad-accum N] [--lr X] [--warmup N] [--schedule cosine|linear|constant] [--weight-decay X] [--clip X] ' +
  '[--eval-every N] [--val-split F] [--seed S] [--gradient-checkpointing on|off] [--weight-storage auto|float16|float32] [--merged] [--backend auto|webgpu|wasm|cpu] [--threads N] [--quiet]';

/** A local folder, a URL, or a Hub id (owner/name) as the engine's model source. */
export function lmSourceOf(model: string): LmModelSource {
  if (/^https?:\/\//i.test(model)) return { kind: 'url', url: model };
  const abs = resolve(model);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new EngineError('model-not-found', `${model}: give the model's folder (with config.json), not a file.`);
    return { kind: 'files', files: readDatasetFolder(abs) };
  }
  if (/^[\w.-]+(\/[\w.-]+)?$/.test(model)) return { kind: 'hub', id: model };
  throw new EngineError('model-not-found', `${model}: no such folder, and not a Hub id (owner/name) or URL.`);
}

/** Flags every language-model run takes (supervised or preference): model, data, LoRA and training. */
export const LM_RUN_OPTIONS: Options = {
  task: { type: 'string' },
  model: { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string' },
  'lora-r': { type: 'string' },
  'lora-alpha': { type: 'string' },
  'lora-targets': { type: 'string' },
  'lora-dropout': { type: 'string' },
  rslora: { type: 'boolean' },
  'max-len': { type: 'string' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  'grad-accum': { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  schedule: { type: 'string' },
  'weight-decay': { type: 'string' },
  clip: { type: 'string' },
  'eval-every': { type: 'string' },
  'val-split': { type: 'string' },
  seed: { type: 'string' },
  merged: { type: 'boolean' },
  'gradient-checkpointing': { type: 'string' },
  'weight-storage': { type: 'string' },
  quiet: { type: 'boolean' },
  ...BACKEND_OPTION,
};

/** How the model is loaded: --weight-storage (float16 frozen weights on WebGPU; auto: for F16/BF16 checkpoints). */
export function lmLoadOptionsOf(p: Parsed): LmLoadOptions {
  const storage = str(p, 'weight-storage');
  if (storage === undefined) return {};
  if (storage !== 'auto' && storage !== 'float16' && storage !== 'float32')
    throw new UsageError(`--weight-storage ${storage}: use auto (float16 on WebGPU for F16/BF16 checkpoints), float16 or float32.`);
  return { weightStorage: storage };
}

/** The run's settings from the training flags. */
export function lmConfigOf(p: Parsed): LmTrainConfig {
  const schedule = str(p, 'schedule') ?? DEFAULT_LM_TRAIN_CONFIG.schedule?.kind ?? 'cosine';
  if (!['cosine', 'linear', 'constant'].includes(schedule)) throw new UsageError(`--schedule ${schedule}: use cosine, linear or constant.`);
  const seed = num(p, 'seed', 'int') ?? DEFAULT_LM_TRAIN_CONFIG.seed;
  const checkpointing = str(p, 'gradient-checkpointing');
  if (checkpointing !== undefined && checkpointing !== 'on' && checkpointing !== 'off') throw new UsageError(`--gradient-checkpointing ${checkpointing}: use on or off (default: on when the run would not fit without).`);
  const steps = num(p, 'steps', 'positive-int') ?? DEFAULT_LM_TRAIN_CONFIG.steps;
  return {
    ...DEFAULT_LM_TRAIN_CONFIG,
    learningRate: num(p, 'lr', 'number') ?? DEFAULT_LM_TRAIN_CONFIG.learningRate,
    batchSize: num(p, 'batch', 'positive-int') ?? DEFAULT_LM_TRAIN_CONFIG.batchSize,
    gradAccumulation: num(p, 'grad-accum', 'positive-int') ?? 1,
    steps,
    schedule: schedule === 'constant' ? { kind: 'constant' } : { kind: schedule as 'cosine' | 'linear', warmupSteps: Math.min(num(p, 'warmup', 'int') ?? Math.round(steps / 10), steps) },
    weightDecay: num(p, 'weight-decay', 'number') ?? DEFAULT_LM_TRAIN_CONFIG.weightDecay,
    clipNorm: num(p, 'clip', 'number') ?? DEFAULT_LM_TRAIN_CONFIG.clipNorm,
    evalEvery: num(p, 'eval-every', 'int') ?? Math.max(1, Math.round(steps / 5)),
    seed,
    samplePrompts: [],
    ...(checkpointing ? { gradientCheckpointing: checkpointing === 'on' } : {}),
  };
}

/** The LoRA plan from --lora-r/--lora-alpha/--lora-targets/--lora-dropout/--rslora (PEFT's default targets without --lora-targets). */
export function lmPlanOf(p: Parsed, summary: LmModelSummary): { plan: TrainPlan; r: number; alpha: number } {
  const r = num(p, 'lora-r', 'positive-int') ?? 8;
  const alpha = num(p, 'lora-alpha', 'number') ?? 2 * r;
  const dropout = num(p, 'lora-dropout', 'fraction') ?? 0;
  const targets = str(p, 'lora-targets')?.split(',').map((t) => t.trim()).filter(Boolean) ?? summary.defaultTargets;
  const all = targets.length === 1 && targets[0] === 'all-linear';
  const plan: TrainPlan = {};
  for (const m of summary.modules) {
    if (all || targets.includes(m.name) || targets.includes(m.path)) {
      plan[m.path] = { kind: 'lora', r, alpha, ...(dropout > 0 ? { dropout } : {}), ...(p.values.rslora ? { rslora: true } : {}) };
    }
  }
  if (Object.keys(plan).length === 0) {
    throw new UsageError(`--lora-targets ${targets.join(',')}: no projection of this model has that name (its projections: ${summary.projectionNames.join(', ')}).`);
  }
  return { plan, r, alpha };
}

/** Flags of a text dataset (supervised runs), beside LM_RUN_OPTIONS. */
export const LM_TEXT_OPTIONS: Options = { packing: { type: 'boolean' }, 'train-on-prompt': { type: 'boolean' } };

/** How the text dataset is read and split, from --max-len, --packing, --train-on-prompt and --val-split. */
export function lmDatasetOptionsOf(p: Parsed, seed: number): LmDatasetOptions {
  return {
    ...DEFAULT_LM_DATASET_OPTIONS,
    maxLength: num(p, 'max-len', 'positive-int') ?? DEFAULT_LM_DATASET_OPTIONS.maxLength,
    packing: p.values.packing === true,
    trainOnPrompt: p.values['train-on-prompt'] === true,
    validationFraction: num(p, 'val-split', 'fraction') ?? DEFAULT_LM_DATASET_OPTIONS.validationFraction,
    seed,
  };
}

/** A data file that exists (not a folder), as an absolute path. */
export function dataFileOf(data: string): string {
  const dataPath = resolve(data);
  if (!existsSync(dataPath) || statSync(dataPath).isDirectory()) throw new EngineError('not-found', `${data}: no such file (give a .jsonl or .txt file).`);
  return dataPath;
}

/** Writes an export's files into a folder. */
export function writeExport(dir: string, files: Record<string, Uint8Array>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
}

/** The estimate printed before a run (supervised or preference): the peak of a step, the backend's budget, checkpointing. */
export function memoryLine(plan: LmPlanSummary): string {
  const budget = plan.memoryBudgetBytes !== null ? ` of the ${formatBytes(plan.memoryBudgetBytes)} this backend can hold` : '';
  return `memory: about ${formatBytes(plan.memoryBytes)} at the peak of a step${budget}${plan.gradientCheckpointing ? ', with gradient checkpointing' : ''}`;
}

export async function trainLm(args: string[], io: Io): Promise<number> {
  const p = parse(args, { ...LM_RUN_OPTIONS, ...LM_TEXT_OPTIONS });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"; usage: ${TRAIN_LM_USAGE}`);
  const model = str(p, 'model');
  const data = str(p, 'data');
  const out = str(p, 'out');
  if (!model || !data || !out) throw new UsageError(`--model, --data and --out are required; usage: ${TRAIN_LM_USAGE}`);
  const config = lmConfigOf(p);
  const seed = config.seed;
  const dataPath = dataFileOf(data);
  const outDir = resolve(out);
  const quiet = p.values.quiet === true;

  const steps_: StepPoint[] = [];
  const evals: EvalPoint[] = [];
  const { engine, report } = await startEngine({ ...backendOf(p), workload: 'lm' }, (e) => {
    if (e.type === 'step') {
      steps_.push(e.point);
      if (!quiet && (e.point.step % 10 === 0 || e.point.step === e.totalSteps)) {
        io.out(`step ${e.point.step}/${e.totalSteps}  loss ${e.point.loss.toFixed(4)}  lr ${e.point.learningRate.toExponential(2)}  ${Math.round(e.point.tokensPerSecond ?? 0)} tok/s`);
      }
    }
    if (e.type === 'eval') {
      evals.push(e.point);
      if (!quiet) io.out(`eval at step ${e.point.step}: validation loss ${e.point.validationLoss.toFixed(4)}`);
    }
  });
  try {
    const summary = await engine.lmLoadModel(lmSourceOf(model), lmLoadOptionsOf(p));
    const dataset = await engine.lmImportText(basename(dataPath), new Blob([readFileSync(dataPath)]), lmDatasetOptionsOf(p, seed));
    const { plan, r, alpha } = lmPlanOf(p, summary);
    const planSummary = await engine.lmSetPlan(plan, config.batchSize, dataset.options.maxLength, config.gradientCheckpointing);
    if (!quiet) {
      io.out(backendLine(report));
      io.out(`model ${summary.name} (${summary.architecture}, ${summary.totalParams.toLocaleString('en-US')} parameters)`);
      io.out(`data ${dataset.name}: ${dataset.format}, ${dataset.examples} rows (${dataset.train} train, ${dataset.validation} validation), ${dataset.trainedTokens} trained tokens, ${dataset.truncated} truncated`);
      io.out(`plan: LoRA r=${r} alpha=${alpha} on ${Object.keys(plan).length} projections; ${planSummary.trainableParams.toLocaleString('en-US')} trainable parameters`);
      io.out(memoryLine(planSummary));
      for (const issue of dataset.issues) io.err(`  skipped: ${issue.message}`);
    }
    const started = performance.now();
    const result = await engine.train(config);
    // The WASM heap only grows: its size now is the run's peak (to one growth step).
    const heap = wasmHeapBytes();
    if (!quiet && heap !== null) io.out(`peak WASM heap: ${formatBytes(heap)} (estimated ${formatBytes(planSummary.memoryBytes)})`);
    writeExport(join(outDir, 'adapter'), (await engine.lmExportAdapter()).files);
    if (p.values.merged) writeExport(join(outDir, 'merged'), (await engine.lmExportMerged()).files);
    const metrics = {
      steps: steps_,
      evals,
      final: { trainLoss: result.finalLoss, validationLoss: result.evals.at(-1)?.validationLoss ?? Number.NaN, baseValidationLoss: result.baseValidationLoss },
      plan,
      trainableParams: planSummary.trainableParams,
      memory: { estimatedBytes: planSummary.memoryBytes, budgetBytes: planSummary.memoryBudgetBytes, gradientCheckpointing: planSummary.gradientCheckpointing, wasmHeapBytes: heap },
      backend: report.name,
      ...(report.threads !== undefined ? { threads: report.threads } : {}),
      config,
      dataset: { name: dataset.name, format: dataset.format, examples: dataset.examples, train: dataset.train, validation: dataset.validation, trainedTokens: dataset.trainedTokens },
      seconds: (performance.now() - started) / 1000,
    };
    writeFileSync(join(outDir, 'metrics.json'), JSON.stringify(metrics, null, 2));
    if (!quiet) io.out(`wrote adapter/adapter_config.json, adapter/adapter_model.safetensors, metrics.json${p.values.merged ? ', merged/' : ''} to ${outDir}`);
    return 0;
  } finally {
    engine.dispose();
  }
}
