import type { TrainPlan, MemoryEstimate, PlanSummary } from '../api.ts';
import { EngineError } from '../errors.ts';
import type { BaseModel } from '../models/baseModel.ts';
import { countTrainableParams, validatePlan } from './plan.ts';

const F32 = 4;

/** The plan may only name layers the run uses: the base up to its feature layer (the old head is dropped). */
export function validatePlanForBase(base: BaseModel, plan: TrainPlan): void {
  validatePlan(base.model, plan);
  const usable = new Set(base.summary.layers.map((l) => l.name));
  for (const name of Object.keys(plan)) {
    if (!usable.has(name)) {
      throw new EngineError('lora-plan-invalid', `layer "${name}" comes after the feature layer "${base.summary.featureLayer}" and is replaced by the new head; plan only the layers up to it.`);
    }
  }
}


/**
 * Trainable and total parameters, and a memory estimate, for a plan on a base with a new head of
 * `numClasses` outputs. Activations: with the base frozen only features [B, F] are kept; otherwise
 * backprop keeps every layer output from the first planned layer on, plus its gradient (x2).
 */
export function summarizePlan(base: BaseModel, plan: TrainPlan, numClasses: number, batchSize: number): PlanSummary {
  validatePlanForBase(base, plan);
  const F = base.summary.featureSize;
  const head = F * numClasses + numClasses;
  // One count for LoRA and trained layers (trainable weights only: a BatchNorm's moving statistics are not).
  const counted = countTrainableParams(base.model, plan);
  const lora = counted.total - base.model.countParams();
  const trainable = counted.trainable + head;
  const total = base.summary.totalParams + lora + head;

  const first = base.summary.layers.findIndex((l) => plan[l.name] && plan[l.name]?.kind !== 'frozen');
  const elems = (shape: number[]) => shape.reduce((a, b) => a * (b > 0 ? b : 1), 1);
  const kept =
    first < 0 ? F + numClasses : base.summary.layers.slice(first).reduce((sum, l) => sum + elems(l.outputShape), 0) + numClasses;
  const memory: MemoryEstimate = {
    batchSize,
    weights: total * F32,
    gradients: trainable * F32,
    optimizer: 2 * trainable * F32, // AdamW's m and v
    activations: batchSize * kept * F32 * (first < 0 ? 1 : 2),
    total: 0,
  };
  memory.total = memory.weights + memory.gradients + memory.optimizer + memory.activations;
  return { plan, trainableParams: trainable, totalParams: total, memory };
}

/** True when the plan changes nothing in the base: the fast path of cached features applies. */
export function isHeadOnly(plan: TrainPlan): boolean {
  return Object.values(plan).every((m) => m.kind === 'frozen');
}

/** One spelling per plan: frozen entries dropped, LoRA defaults written out (dropout 0, no rsLoRA). */
export function normalizePlan(plan: TrainPlan): TrainPlan {
  const out: TrainPlan = {};
  for (const [name, mode] of Object.entries(plan)) {
    if (mode.kind === 'frozen') continue;
    out[name] = mode.kind === 'lora' ? { kind: 'lora', r: mode.r, alpha: mode.alpha, dropout: mode.dropout ?? 0, rslora: mode.rslora ?? false } : { kind: mode.kind };
  }
  return out;
}
