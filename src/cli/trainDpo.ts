/**
 * `tabtune train --task dpo` and `tabtune eval --task dpo`: preference tuning of a Hugging Face
 * causal LM on chosen/rejected pairs with the studio's engine (TRL's formats, losses and metric
 * names), and scoring pairs with an adapter against the base as JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_PREFERENCE_DATASET_OPTIONS, DEFAULT_PREFERENCE_SETTINGS, PREFERENCE_LOSSES, type EvalPoint, type PreferenceLoss, type PreferenceSettings, type StepPoint } from '../api.ts';
import type { Session } from '../session/session.ts';
import { backendOf, BACKEND_OPTION, num, parse, str, UsageError, type Options, type Parsed } from './args.ts';
import type { Io } from './main.ts';
import { backendLine, readDatasetFolder, startEngine } from './nodeEngine.ts';
import { dataFileOf, LM_RUN_OPTIONS, lmConfigOf, lmLoadOptionsOf, lmPlanOf, lmSourceOf, memoryLine, writeExport } from './trainLm.ts';

const PREFERENCE_FLAGS = '[--beta B] [--loss sigmoid|ipo|hinge|robust|simpo|orpo] [--label-smoothing X] [--gamma G] [--too-long truncate|skip]';

export const TRAIN_DPO_USAGE =
  `tabtune train --task dpo --model <HF folder | Hub id | URL> --data <prefs.jsonl> --out <dir> ${PREFERENCE_FLAGS} [--precompute-ref] ` +
  '[--adapter <PEFT folder to start from>] [--lora-r R] [--lora-alpha A] [--lora-targets ...] [--max-len N] [--steps N] [--batch N] [--lr X] ... (as --task lm)';

export const EVAL_DPO_USAGE = `tabtune eval --task dpo --model <HF folder | Hub id | URL> [--adapter <PEFT folder>] --data <prefs.jsonl> ${PREFERENCE_FLAGS} [--max-len N]`;

export const PREFERENCE_OPTIONS: Options = {
  beta: { type: 'string' },
  loss: { type: 'string' },
  'label-smoothing': { type: 'string' },
  gamma: { type: 'string' },
  'too-long': { type: 'string' },
  adapter: { type: 'string' },
};

export function preferenceOf(p: Parsed): PreferenceSettings {
  const loss = str(p, 'loss') ?? DEFAULT_PREFERENCE_SETTINGS.loss;
  if (!(PREFERENCE_LOSSES as readonly string[]).includes(loss)) throw new UsageError(`--loss ${loss}: use one of ${PREFERENCE_LOSSES.join(', ')}.`);
  const beta = num(p, 'beta', 'number') ?? DEFAULT_PREFERENCE_SETTINGS.beta;
  if (!(beta > 0)) throw new UsageError(`--beta ${beta}: expected a number above 0 (TRL's default: 0.1).`);
  return {
    loss: loss as PreferenceLoss,
    beta,
    labelSmoothing: num(p, 'label-smoothing', 'fraction') ?? 0,
    gamma: num(p, 'gamma', 'number') ?? DEFAULT_PREFERENCE_SETTINGS.gamma,
    precomputeRef: p.values['precompute-ref'] === true,
  };
}

function tooLongOf(p: Parsed): 'truncate' | 'skip' {
  const v = str(p, 'too-long') ?? 'truncate';
  if (v !== 'truncate' && v !== 'skip') throw new UsageError(`--too-long ${v}: use truncate (cut as TRL does) or skip.`);
  return v;
}

/** Loads the model, the adapter when given, and the pairs. */
export async function loadPairs(engine: Session, p: Parsed, dataPath: string, validationFraction: number, seed: number) {
  const summary = await engine.lmLoadModel(lmSourceOf(str(p, 'model')!), lmLoadOptionsOf(p));
  const adapter = str(p, 'adapter');
  const imported = adapter ? await engine.lmImportAdapter(readDatasetFolder(resolve(adapter))) : null;
  const dataset = await engine.lmImportPreferences(basename(dataPath), new Blob([readFileSync(dataPath)]), {
    ...DEFAULT_PREFERENCE_DATASET_OPTIONS,
    maxLength: num(p, 'max-len', 'positive-int') ?? DEFAULT_PREFERENCE_DATASET_OPTIONS.maxLength,
    overLong: tooLongOf(p),
    validationFraction,
    seed,
  });
  return { summary, imported, dataset };
}

export async function trainDpo(args: string[], io: Io): Promise<number> {
  const p = parse(args, { ...LM_RUN_OPTIONS, ...PREFERENCE_OPTIONS, 'precompute-ref': { type: 'boolean' } });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"; usage: ${TRAIN_DPO_USAGE}`);
  const [model, data, out] = [str(p, 'model'), str(p, 'data'), str(p, 'out')];
  if (!model || !data || !out) throw new UsageError(`--model, --data and --out are required; usage: ${TRAIN_DPO_USAGE}`);
  const preference = preferenceOf(p);
  const adapter = str(p, 'adapter');
  const config = { ...lmConfigOf(p), preference, continueFromLastRun: adapter !== undefined };
  const dataPath = dataFileOf(data);
  const outDir = resolve(out);
  const quiet = p.values.quiet === true;
  const steps: StepPoint[] = [];
  const evals: EvalPoint[] = [];
  const fmt = (m: Record<string, number> | undefined, key: string) => (m?.[key] ?? Number.NaN).toFixed(4);
  const { engine, report } = await startEngine({ ...backendOf(p), workload: 'lm' }, (e) => {
    if (e.type === 'step') {
      steps.push(e.point);
      if (!quiet && (e.point.step % 10 === 0 || e.point.step === e.totalSteps)) {
        io.out(`step ${e.point.step}/${e.totalSteps}  loss ${e.point.loss.toFixed(4)}  rewards/margins ${fmt(e.point.metrics, 'rewards/margins')}  rewards/accuracies ${fmt(e.point.metrics, 'rewards/accuracies')}`);
      }
    }
    if (e.type === 'eval') {
      evals.push(e.point);
      if (!quiet && Number.isFinite(e.point.validationLoss)) io.out(`eval at step ${e.point.step}: loss ${e.point.validationLoss.toFixed(4)}  rewards/accuracies ${fmt(e.point.metrics, 'rewards/accuracies')}`);
    }
  });
  try {
    const { summary, imported, dataset } = await loadPairs(engine, p, dataPath, num(p, 'val-split', 'fraction') ?? DEFAULT_PREFERENCE_DATASET_OPTIONS.validationFraction, config.seed);
    // Starting from an adapter trains that adapter on (its plan); else a fresh one from the LoRA flags.
    const plan = imported ? imported.plan : lmPlanOf(p, summary).plan;
    const planSummary = await engine.lmSetPlan(plan, config.batchSize, dataset.options.maxLength, config.gradientCheckpointing, true);
    if (!quiet) {
      io.out(backendLine(report));
      io.out(`model ${summary.name} (${summary.architecture}, ${summary.totalParams.toLocaleString('en-US')} parameters)`);
      io.out(`data ${dataset.name}: ${dataset.format}, ${dataset.pairs} pairs (${dataset.train} train, ${dataset.validation} validation), ${dataset.tooLong} longer than ${dataset.options.maxLength} tokens`);
      io.out(`objective ${preference.loss}, beta ${preference.beta}; reference: ${imported ? 'the starting adapter' : 'the base model (adapter disabled)'}; ${planSummary.trainableParams.toLocaleString('en-US')} trainable parameters`);
      io.out(memoryLine(planSummary));
      for (const issue of dataset.issues) io.err(`  skipped: ${issue.message}`);
    }
    const started = performance.now();
    const result = await engine.train(config);
    writeExport(join(outDir, 'adapter'), (await engine.lmExportAdapter()).files);
    if (p.values.merged) writeExport(join(outDir, 'merged'), (await engine.lmExportMerged()).files);
    const last = steps.at(-1);
    const metrics = {
      objective: preference,
      steps,
      evals,
      final: { train: last ? { loss: last.loss, ...last.metrics } : null, validation: result.preference?.validation ?? null, referenceValidationLoss: result.baseValidationLoss },
      plan,
      trainableParams: planSummary.trainableParams,
      backend: report.name,
      ...(report.threads !== undefined ? { threads: report.threads } : {}),
      config,
      dataset: { name: dataset.name, format: dataset.format, pairs: dataset.pairs, train: dataset.train, validation: dataset.validation, tooLong: dataset.tooLong },
      seconds: (performance.now() - started) / 1000,
    };
    writeFileSync(join(outDir, 'metrics.json'), JSON.stringify(metrics, null, 2));
    if (!quiet) io.out(`wrote adapter/adapter_config.json, adapter/adapter_model.safetensors, metrics.json${p.values.merged ? ', merged/' : ''} to ${outDir}`);
    return 0;
  } finally {
    engine.dispose();
  }
}

export async function evalDpo(args: string[], io: Io): Promise<number> {
  const p = parse(args, { task: { type: 'string' }, model: { type: 'string' }, data: { type: 'string' }, 'max-len': { type: 'string' }, ...PREFERENCE_OPTIONS, ...BACKEND_OPTION });
  if (str(p, 'task') !== 'dpo') throw new UsageError(`eval needs --task dpo; usage: ${EVAL_DPO_USAGE}`);
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"; usage: ${EVAL_DPO_USAGE}`);
  const [model, data] = [str(p, 'model'), str(p, 'data')];
  if (!model || !data) throw new UsageError(`--model and --data are required; usage: ${EVAL_DPO_USAGE}`);
  const settings = preferenceOf(p);
  const dataPath = dataFileOf(data);
  const { engine } = await startEngine({ ...backendOf(p), workload: 'lm' });
  try {
    await loadPairs(engine, p, dataPath, 0, 42);
    const { summary, pairs } = await engine.lmEvalPreferences({ settings, rows: 'all' });
    io.out(JSON.stringify({ summary: { beta: settings.beta, ...summary }, pairs }));
    return 0;
  } finally {
    engine.dispose();
  }
}
