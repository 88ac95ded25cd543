/**
 * `tabtune export-job --task lm|dpo`: the same flags as `train --task lm|dpo`, but instead of
 * training here it writes the job folder (train.py, launch.sh, accelerate yamls, data, LoRA config,
 * README) that runs the same run with Accelerate + PEFT on many GPUs or machines.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULT_PREFERENCE_DATASET_OPTIONS } from '../api.ts';
import { backendOf, num, parse, str, UsageError } from './args.ts';
import type { Io } from './main.ts';
import { startEngine } from './nodeEngine.ts';
import { loadPairs, PREFERENCE_OPTIONS, preferenceOf } from './trainDpo.ts';
import { dataFileOf, LM_RUN_OPTIONS, LM_TEXT_OPTIONS, lmConfigOf, lmDatasetOptionsOf, lmLoadOptionsOf, lmPlanOf, lmSourceOf } from './trainLm.ts';

export const EXPORT_JOB_USAGE =
  'tabtune export-job --task lm|dpo --model <HF folder | Hub id | URL> --data <file.jsonl | file.txt> --out <dir> [the flags of train --task lm, or of train --task dpo]';

export async function exportJobCommand(args: string[], io: Io): Promise<number> {
  const p = parse(args, { ...LM_RUN_OPTIONS, ...LM_TEXT_OPTIONS, ...PREFERENCE_OPTIONS, 'precompute-ref': { type: 'boolean' } });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"; usage: ${EXPORT_JOB_USAGE}`);
  const task = str(p, 'task') ?? 'lm';
  if (task !== 'lm' && task !== 'dpo') throw new UsageError(`--task ${task}: export-job takes lm or dpo.`);
  const [model, data, out] = [str(p, 'model'), str(p, 'data'), str(p, 'out')];
  if (!model || !data || !out) throw new UsageError(`--model, --data and --out are required; usage: ${EXPORT_JOB_USAGE}`);
  if (task === 'lm' && str(p, 'adapter')) throw new UsageError('--adapter starts a dpo job from an adapter; an lm job starts from fresh LoRA weights.');
  const config = lmConfigOf(p);
  const dataPath = dataFileOf(data);
  const source = lmSourceOf(model);
  const { engine } = await startEngine(backendOf(p));
  try {
    let rows: string;
    let summaryLine: string;
    if (task === 'dpo') {
      config.preference = preferenceOf(p);
      const { summary, imported, dataset } = await loadPairs(engine, p, dataPath, num(p, 'val-split', 'fraction') ?? DEFAULT_PREFERENCE_DATASET_OPTIONS.validationFraction, config.seed);
      if (imported) throw new UsageError('--adapter: a job starts from fresh LoRA weights; export the job without --adapter (or train on from the adapter in the studio).');
      await engine.lmSetPlan(lmPlanOf(p, summary).plan, config.batchSize, dataset.options.maxLength);
      rows = `${dataset.train} train and ${dataset.validation} validation pairs`;
      summaryLine = `${summary.name} (${summary.architecture}); objective ${config.preference.loss}, beta ${config.preference.beta}`;
    } else {
      const summary = await engine.lmLoadModel(source, lmLoadOptionsOf(p));
      const dataset = await engine.lmImportText(basename(dataPath), new Blob([readFileSync(dataPath)]), lmDatasetOptionsOf(p, config.seed));
      await engine.lmSetPlan(lmPlanOf(p, summary).plan, config.batchSize, dataset.options.maxLength);
      rows = `${dataset.train} train and ${dataset.validation} validation rows`;
      summaryLine = `${summary.name} (${summary.architecture})`;
    }
    const outDir = resolve(out);
    const job = await engine.lmExportJob(config, { localModelPath: source.kind === 'files' ? resolve(model) : null });
    for (const [path, bytes] of Object.entries(job.files)) {
      const target = join(outDir, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, bytes);
    }
    chmodSync(join(outDir, 'launch.sh'), 0o755);
    if (p.values.quiet !== true) {
      io.out(`model ${summaryLine}; data ${basename(dataPath)}: ${rows}`);
      io.out(`wrote ${Object.keys(job.files).join(', ')} to ${outDir}`);
      io.out(`run it: ${join(outDir, 'launch.sh')} (NUM_PROCESSES=8 for eight GPUs, CPU=1 NUM_PROCESSES=2 for a CPU smoke run; see README.md)`);
    }
    return 0;
  } finally {
    engine.dispose();
  }
}
