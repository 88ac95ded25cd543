/**
 * `tabtune train --task lm`: LoRA on a Hugging Face causal LM from a text dataset, in Node with the
 * studio's engine. Writes the PEFT adapter (adapter/), metrics.json and, with --merged, the merged folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EvalPoint, StepPoint } from '../api.ts';
import { backendOf, BACKEND_OPTION, parse, str, UsageError } from './args.ts';
import { LM_FLAGS_USAGE, LM_OPTIONS, setUpLm } from './lmArgs.ts';
import type { Io } from './main.ts';
import { startEngine } from './nodeEngine.ts';

export const TRAIN_LM_USAGE = `tabtune train --task lm ${LM_FLAGS_USAGE} [--merged] [--backend auto|webgpu|wasm|cpu] [--quiet]`;

export async function trainLm(args: string[], io: Io): Promise<number> {
  const p = parse(args, { ...LM_OPTIONS, merged: { type: 'boolean' }, ...BACKEND_OPTION });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"; usage: ${TRAIN_LM_USAGE}`);
  const quiet = p.values.quiet === true;

  const steps_: StepPoint[] = [];
  const evals: EvalPoint[] = [];
  const { engine, report } = await startEngine(backendOf(p), (e) => {
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
    const { summary, dataset, plan, planSummary, config, lora } = await setUpLm(p, engine, TRAIN_LM_USAGE);
    const outDir = resolve(str(p, 'out')!);
    if (!quiet) {
      io.out(`backend ${report.name} (${report.reason})`);
      io.out(`model ${summary.name} (${summary.architecture}, ${summary.totalParams.toLocaleString('en-US')} parameters)`);
      io.out(`data ${dataset.name}: ${dataset.format}, ${dataset.examples} rows (${dataset.train} train, ${dataset.validation} validation), ${dataset.trainedTokens} trained tokens, ${dataset.truncated} truncated`);
      io.out(`plan: LoRA r=${lora.r} alpha=${lora.alpha} on ${Object.keys(plan).length} projections; ${planSummary.trainableParams.toLocaleString('en-US')} trainable parameters`);
      for (const issue of dataset.issues) io.err(`  skipped: ${issue.message}`);
    }
    const started = performance.now();
    const result = await engine.train(config);
    mkdirSync(join(outDir, 'adapter'), { recursive: true });
    const adapter = await engine.lmExportAdapter();
    for (const [name, bytes] of Object.entries(adapter.files)) writeFileSync(join(outDir, 'adapter', name), bytes);
    if (p.values.merged) {
      const merged = await engine.lmExportMerged();
      mkdirSync(join(outDir, 'merged'), { recursive: true });
      for (const [name, bytes] of Object.entries(merged.files)) writeFileSync(join(outDir, 'merged', name), bytes);
    }
    const metrics = {
      steps: steps_,
      evals,
      final: { trainLoss: result.finalLoss, validationLoss: result.evals.at(-1)?.validationLoss ?? Number.NaN, baseValidationLoss: result.baseValidationLoss },
      plan,
      trainableParams: planSummary.trainableParams,
      backend: report.name,
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
