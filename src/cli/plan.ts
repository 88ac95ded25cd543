/** Turns the train command's plan flags into a TrainPlan for the loaded model. */
import type { TrainPlan, ModelSummary } from '../api.ts';
import { UsageError } from './args.ts';

export interface PlanFlags {
  headOnly: boolean;
  freezeFirst: number | undefined;
  full: boolean;
  loraR: number | undefined;
  loraAlpha: number | undefined;
  /** Dropout on LoRA's input while training, from 0 up to (not including) 1; 0 or undefined: none. */
  loraDropout?: number | undefined;
  /** rsLoRA scale alpha / sqrt(r) instead of alpha / r. */
  rslora?: boolean;
  /** Layer names or class names (Dense, Conv2D), as given. */
  loraTargets: string[] | undefined;
}

/**
 * head-only (default): {}. --full: every weighted layer up to the feature layer trains.
 * --freeze-first N: the first N weighted layers stay frozen, the rest train.
 * --lora-r R: LoRA (alpha default 2R) on the targets, or on every Dense/Conv2D up to the feature
 * layer; combined with --full or --freeze-first, LoRA layers get LoRA and the others train or freeze.
 * --lora-dropout X and --rslora apply to every LoRA layer (left out of the plan at their defaults, 0 and off).
 */
export function planFromFlags(model: ModelSummary, f: PlanFlags): TrainPlan {
  const modes = [f.headOnly, f.full, f.freezeFirst !== undefined].filter(Boolean).length;
  if (modes > 1) throw new UsageError('use only one of --head-only, --freeze-first N and --full.');
  if (f.headOnly && f.loraR !== undefined) throw new UsageError('--head-only trains the head alone; drop it to use --lora-r.');
  if (f.loraR === undefined && (f.loraAlpha !== undefined || f.loraTargets !== undefined || f.loraDropout !== undefined || f.rslora === true)) {
    throw new UsageError('--lora-alpha, --lora-targets, --lora-dropout and --rslora need --lora-r R.');
  }
  const plan: TrainPlan = {};
  const weighted = model.layers.filter((l) => l.params > 0);
  if (f.full) for (const l of weighted) plan[l.name] = { kind: 'full' };
  if (f.freezeFirst !== undefined) {
    if (f.freezeFirst > weighted.length) {
      throw new UsageError(`--freeze-first ${f.freezeFirst}: the model has ${weighted.length} layers with weights up to its feature layer.`);
    }
    for (const l of weighted.slice(f.freezeFirst)) plan[l.name] = { kind: 'full' };
  }
  if (f.loraR !== undefined) {
    const alpha = f.loraAlpha ?? 2 * f.loraR;
    const capable = model.layers.filter((l) => l.loraSupported);
    let targets = capable;
    if (f.loraTargets) {
      targets = [];
      for (const t of f.loraTargets) {
        const byName = model.layers.find((l) => l.name === t);
        const byType = capable.filter((l) => l.className.toLowerCase() === t.toLowerCase());
        if (byName) targets.push(byName);
        else if (byType.length > 0) targets.push(...byType);
        else {
          throw new UsageError(
            `--lora-targets: "${t}" is neither a layer up to the feature layer nor a LoRA-capable type there (layers: ${model.layers.map((l) => l.name).join(', ')}).`,
          );
        }
      }
    }
    if (targets.length === 0) throw new UsageError('--lora-r: the model has no Dense or Conv2D layer up to its feature layer.');
    const dropout = f.loraDropout ?? 0;
    for (const l of targets) {
      plan[l.name] = { kind: 'lora', r: f.loraR, alpha, ...(dropout > 0 ? { dropout } : {}), ...(f.rslora ? { rslora: true } : {}) };
    }
  }
  return plan;
}
