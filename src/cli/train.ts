/** `tabtune train`: the session's classifier run in Node, with metrics, head and bundle written to --out. */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, DEFAULT_SPLIT, type ClassifierTrainConfig, type EvalPoint, type StepPoint } from '../api.ts';
import { EngineError } from '../errors.ts';
import { backendOf, BACKEND_OPTION, num, parse, str, UsageError } from './args.ts';
import type { Io } from './main.ts';
import { backendLine, readDatasetFolder, startEngine } from './nodeEngine.ts';
import { modelUrl } from './nodePlatform.ts';
import { planFromFlags } from './plan.ts';

export const TRAIN_USAGE =
  'tabtune train --model <path|url> --data <image folder | file.csv> --out <dir> [--head-only | --freeze-first N | --full] ' +
  '[--label COLUMN] [--task classification|regression] [--hidden 64,32] ' +
  '[--lora-r R] [--lora-alpha A] [--lora-targets names,or,Types] [--lora-dropout X] [--rslora] [--epochs N] [--batch N] [--lr X] [--weight-decay X] ' +
  '[--val-split F] [--seed S] [--backend auto|webgpu|wasm|cpu] [--threads N] [--quiet]';

export async function train(args: string[], io: Io): Promise<number> {
  const p = parse(args, {
    model: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    'head-only': { type: 'boolean' },
    'freeze-first': { type: 'string' },
    full: { type: 'boolean' },
    'lora-r': { type: 'string' },
    'lora-alpha': { type: 'string' },
    'lora-targets': { type: 'string' },
    'lora-dropout': { type: 'string' },
    rslora: { type: 'boolean' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    'weight-decay': { type: 'string' },
    'val-split': { type: 'string' },
    seed: { type: 'string' },
    label: { type: 'string' },
    task: { type: 'string' },
    hidden: { type: 'string' },
    quiet: { type: 'boolean' },
    ...BACKEND_OPTION,
  });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"; usage: ${TRAIN_USAGE}`);
  const model = str(p, 'model');
  const data = str(p, 'data');
  const out = str(p, 'out');
  const isCsv = /\.(csv|tsv)$/i.test(data ?? '');
  // A table can train on an MLP built for it, so --model is optional there.
  if ((!model && !isCsv) || !data || !out) throw new UsageError(`--data and --out are required, and --model unless --data is a CSV; usage: ${TRAIN_USAGE}`);
  const task = str(p, 'task');
  if (task !== undefined && task !== 'classification' && task !== 'regression') throw new UsageError(`--task must be classification, regression (CSV) or lm (language model), not "${task}".`);
  const hiddenText = str(p, 'hidden');
  const hidden = hiddenText?.split(',').map((w) => Number(w.trim()));
  if (hidden && hidden.some((w) => !Number.isInteger(w) || w < 1)) throw new UsageError(`--hidden takes layer widths like 64,32, not "${hiddenText}".`);
  if (!isCsv && (task !== undefined || hidden || str(p, 'label') !== undefined)) throw new UsageError('--label, --task and --hidden apply to CSV data only.');
  const seed = num(p, 'seed', 'int') ?? DEFAULT_CLASSIFIER_TRAIN_CONFIG.seed;
  const config: ClassifierTrainConfig = {
    task: 'classifier',
    learningRate: num(p, 'lr', 'number') ?? DEFAULT_CLASSIFIER_TRAIN_CONFIG.learningRate,
    batchSize: num(p, 'batch', 'positive-int') ?? DEFAULT_CLASSIFIER_TRAIN_CONFIG.batchSize,
    epochs: num(p, 'epochs', 'positive-int') ?? DEFAULT_CLASSIFIER_TRAIN_CONFIG.epochs,
    weightDecay: num(p, 'weight-decay', 'number') ?? DEFAULT_CLASSIFIER_TRAIN_CONFIG.weightDecay,
    seed,
  };
  const split = { validationFraction: num(p, 'val-split', 'fraction') ?? DEFAULT_SPLIT.validationFraction, seed };
  const flags = {
    headOnly: p.values['head-only'] === true,
    full: p.values.full === true,
    freezeFirst: num(p, 'freeze-first', 'int'),
    loraR: num(p, 'lora-r', 'positive-int'),
    loraAlpha: num(p, 'lora-alpha', 'number'),
    loraTargets: str(p, 'lora-targets')?.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    loraDropout: num(p, 'lora-dropout', 'fraction'),
    rslora: p.values.rslora === true,
  };
  const dataDir = resolve(data);
  if (!existsSync(dataDir)) throw new EngineError('not-found', `${data}: no such file or folder.`);
  if (!isCsv && !statSync(dataDir).isDirectory()) {
    throw new EngineError('unsupported-input', `${data}: give an image folder (one sub-folder per class) or a .csv file.`);
  }
  const outDir = resolve(out);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new EngineError('out-invalid', `${out}: exists and is not a folder.`);
  const url = model ? modelUrl(model) : null;
  const quiet = p.values.quiet === true;

  const steps: StepPoint[] = [];
  const epochs: EvalPoint[] = [];
  let started = 0;
  const { engine, report } = await startEngine(backendOf(p), (e) => {
    if (e.type === 'step') steps.push(e.point);
    if (e.type === 'eval') {
      epochs.push(e.point);
      if (!quiet) {
        const q = e.point;
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        const metric = q.validationRmse !== undefined ? `val rmse ${q.validationRmse.toPrecision(4)}` : `val acc ${((q.validationAccuracy ?? Number.NaN) * 100).toFixed(1)}%`;
        io.out(`epoch ${q.epoch}/${config.epochs}  step ${q.step}  train loss ${(q.trainLoss ?? Number.NaN).toFixed(4)}  val loss ${q.validationLoss.toFixed(4)}  ${metric}  (${secs} s)`);
      }
    }
  });
  try {
    let summary;
    let described: string;
    let issues: string[];
    if (isCsv) {
      const name = basename(dataDir).replace(/\.(csv|tsv)$/i, '');
      const table = await engine.importCsv(name, new Blob([readFileSync(dataDir)]), {
        split,
        labelColumn: str(p, 'label'),
        task: task as 'classification' | 'regression' | undefined,
      });
      summary = url ? await engine.loadModel(url) : await engine.loadTabularModel(hidden);
      const what = table.task === 'regression' ? `regression on "${table.labelColumn}"` : `${table.classes.length} classes of "${table.labelColumn}"`;
      described = `table ${table.name}: ${table.total} rows (${table.skippedRows} skipped), ${table.featureCount} features, ${what}`;
      issues = table.issues.map((i) => i.message);
    } else {
      summary = await engine.loadModel(url!);
      const dataset = await engine.importImages(basename(dataDir), readDatasetFolder(dataDir), split);
      described = `dataset ${dataset.name}: ${dataset.total} images, ${dataset.classes.length} classes, ${dataset.issues.length} issue(s)`;
      issues = dataset.issues.map((i) => i.message);
    }
    // An MLP built for a table is not pre-trained: with no plan flags, train its layers rather than only a head on random features.
    const noPlanFlags = !flags.headOnly && !flags.full && flags.freezeFirst === undefined && flags.loraR === undefined;
    const plan = planFromFlags(summary, isCsv && !url && noPlanFlags ? { ...flags, full: true } : flags);
    const planSummary = await engine.setPlan(plan, config.batchSize);
    if (!quiet) {
      const lora = Object.entries(plan).filter(([, m]) => m.kind === 'lora').map(([name]) => name);
      const trained = Object.entries(plan).filter(([, m]) => m.kind === 'full').map(([name]) => name);
      const what = [lora.length ? `LoRA on ${lora.join(', ')}` : '', trained.length ? `training ${trained.join(', ')}` : ''].filter(Boolean).join('; ') || 'head only';
      io.out(backendLine(report));
      io.out(`model ${summary.name}, ${described}`);
      io.out(`plan: ${what}; ${planSummary.trainableParams.toLocaleString('en-US')} trainable of ${planSummary.totalParams.toLocaleString('en-US')} parameters`);
      for (const issue of issues) io.err(`  note: ${issue}`);
    }
    started = performance.now();
    const result = await engine.train(config);
    const last = result.evals.at(-1);
    const metrics = {
      steps,
      epochs,
      final: {
        trainLoss: last?.trainLoss ?? result.finalLoss,
        validationLoss: last?.validationLoss ?? Number.NaN,
        validationAccuracy: last?.validationAccuracy ?? Number.NaN,
        ...(result.evaluation?.regression ? { validationRmse: result.evaluation.regression.rmse, validationMae: result.evaluation.regression.mae, validationR2: result.evaluation.regression.r2 } : {}),
      },
      plan,
      backend: report.name,
      ...(report.threads !== undefined ? { threads: report.threads } : {}),
      classes: result.classes,
      config,
      split,
      seconds: (performance.now() - started) / 1000,
    };

    mkdirSync(outDir, { recursive: true });
    const written: string[] = [];
    const write = (rel: string, bytes: Uint8Array | string): void => {
      const file = join(outDir, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, bytes);
      written.push(rel);
    };
    const weights = await engine.exportWeights();
    write('head.safetensors', weights.safetensors);
    write('head.json', weights.manifestJson);
    write('metrics.json', JSON.stringify(metrics, null, 2));
    try {
      const bundle = await engine.exportBundle();
      for (const [path, bytes] of Object.entries(unzipSync(bundle.zip))) {
        // The bundle's head is the one written above.
        if (!path.endsWith('/') && path !== 'head.safetensors') write(path, bytes);
      }
    } catch (e) {
      // The run and its head are saved; a plan the bundle cannot express (e.g. a fully trained layer
      // that PEFT cannot store) only loses the bundle, and says so.
      io.err(`tabtune: warning: the bundle (adapter, merged model) was not written: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!quiet) io.out(`wrote ${[...new Set(written)].sort().join(', ')} to ${outDir}`);
    return 0;
  } finally {
    engine.dispose();
  }
}
