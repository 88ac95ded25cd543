/**
 * `tabtune export-job --task lm`: the same flags as `train --task lm`, but instead of training here
 * it writes the job folder (train.py, launch.sh, accelerate yamls, data, LoRA config, README) that
 * runs the same run with Accelerate + PEFT on many GPUs or machines.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EngineError } from '../errors.ts';
import { backendOf, BACKEND_OPTION, parse, str, UsageError } from './args.ts';
import { LM_FLAGS_USAGE, LM_OPTIONS, setUpLm } from './lmArgs.ts';
import type { Io } from './main.ts';
import { startEngine } from './nodeEngine.ts';

export const EXPORT_JOB_USAGE = `tabtune export-job --task lm ${LM_FLAGS_USAGE} [--quiet]`;

export async function exportJobCommand(args: string[], io: Io): Promise<number> {
  const p = parse(args, { ...LM_OPTIONS, ...BACKEND_OPTION });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"; usage: ${EXPORT_JOB_USAGE}`);
  const task = str(p, 'task') ?? 'lm';
  if (task === 'dpo') {
    throw new EngineError('job-unsupported', 'export-job --task dpo is not available yet: the preference (DPO) objective has not landed in this build; export --task lm, or train DPO in the studio.');
  }
  if (task !== 'lm') throw new UsageError(`--task ${task}: export-job takes lm (or dpo).`);
  const { engine } = await startEngine(backendOf(p), () => {});
  try {
    const setup = await setUpLm(p, engine, EXPORT_JOB_USAGE);
    const outDir = resolve(str(p, 'out')!);
    const job = await engine.lmExportJob(setup.config, { localModelPath: setup.modelFolder });
    for (const [path, bytes] of Object.entries(job.files)) {
      const target = join(outDir, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, bytes);
    }
    chmodSync(join(outDir, 'launch.sh'), 0o755);
    if (p.values.quiet !== true) {
      const d = setup.dataset;
      io.out(`model ${setup.summary.name} (${setup.summary.architecture}); data ${d.name}: ${d.train} train and ${d.validation} validation rows; LoRA on ${Object.keys(setup.plan).length} projections, ${setup.planSummary.trainableParams.toLocaleString('en-US')} trainable parameters`);
      io.out(`wrote ${Object.keys(job.files).join(', ')} to ${outDir}`);
      io.out(`run it: ${join(outDir, 'launch.sh')} (NUM_PROCESSES=8 for eight GPUs, CPU=1 NUM_PROCESSES=2 for a CPU smoke run; see README.md)`);
    }
    return 0;
  } finally {
    engine.dispose();
  }
}
