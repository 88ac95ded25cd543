/**
 * The flags `tabtune train --task lm` and `tabtune export-job` share, and what they set up in the
 * engine: the model, the dataset with its split, the LoRA plan and the training settings.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DEFAULT_LM_DATASET_OPTIONS, DEFAULT_LM_TRAIN_CONFIG, type LmDatasetSummary, type LmModelSource, type LmModelSummary, type LmPlanSummary, type LmTrainConfig, type SessionApi, type TrainPlan } from '../api.ts';
import { EngineError } from '../errors.ts';
import { num, str, UsageError, type Options, type Parsed } from './args.ts';
import { readDatasetFolder } from './nodeEngine.ts';

export const LM_FLAGS_USAGE =
  '--model <HF folder | Hub id | URL> --data <file.jsonl | file.txt> --out <dir> ' +
  '[--lora-r R] [--lora-alpha A] [--lora-targets q_proj,v_proj | all-linear] [--lora-dropout X] [--rslora] [--max-len N] [--packing] [--train-on-prompt] ' +
  '[--steps N] [--batch N] [--grad-accum N] [--lr X] [--warmup N] [--schedule cosine|linear|constant] [--weight-decay X] [--clip X] ' +
  '[--eval-every N] [--val-split F] [--seed S]';

export const LM_OPTIONS: Options = {
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
  packing: { type: 'boolean' },
  'train-on-prompt': { type: 'boolean' },
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
  quiet: { type: 'boolean' },
};

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

export interface LmSetup {
  /** The --model folder, absolute (null for a Hub id or URL). */
  modelFolder: string | null;
  summary: LmModelSummary;
  dataset: LmDatasetSummary;
  plan: TrainPlan;
  planSummary: LmPlanSummary;
  config: LmTrainConfig;
  lora: { r: number; alpha: number };
}

/** The run's settings from the flags (the studio's defaults for the rest). */
export function lmConfigOf(p: Parsed): LmTrainConfig {
  const schedule = str(p, 'schedule') ?? DEFAULT_LM_TRAIN_CONFIG.schedule?.kind ?? 'cosine';
  if (!['cosine', 'linear', 'constant'].includes(schedule)) throw new UsageError(`--schedule ${schedule}: use cosine, linear or constant.`);
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
    seed: num(p, 'seed', 'int') ?? DEFAULT_LM_TRAIN_CONFIG.seed,
    samplePrompts: [],
  };
}

/** Loads the model and dataset named by the flags into the engine and sets the plan. */
export async function setUpLm(p: Parsed, engine: SessionApi, usage: string): Promise<LmSetup> {
  const model = str(p, 'model');
  const data = str(p, 'data');
  if (!model || !data || !str(p, 'out')) throw new UsageError(`--model, --data and --out are required; usage: ${usage}`);
  const config = lmConfigOf(p);
  const dataPath = resolve(data);
  if (!existsSync(dataPath) || statSync(dataPath).isDirectory()) throw new EngineError('not-found', `${data}: no such text file (give a .jsonl or .txt file).`);
  const source = lmSourceOf(model);
  const summary = await engine.lmLoadModel(source);
  const dataset = await engine.lmImportText(basename(dataPath), new Blob([readFileSync(dataPath)]), {
    ...DEFAULT_LM_DATASET_OPTIONS,
    maxLength: num(p, 'max-len', 'positive-int') ?? DEFAULT_LM_DATASET_OPTIONS.maxLength,
    packing: p.values.packing === true,
    trainOnPrompt: p.values['train-on-prompt'] === true,
    validationFraction: num(p, 'val-split', 'fraction') ?? DEFAULT_LM_DATASET_OPTIONS.validationFraction,
    seed: config.seed,
  });
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
  const planSummary = await engine.lmSetPlan(plan, config.batchSize, dataset.options.maxLength);
  return { modelFolder: source.kind === 'files' ? resolve(model) : null, summary, dataset, plan, planSummary, config, lora: { r, alpha } };
}
