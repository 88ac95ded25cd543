/**
 * How a language-model run will use memory, decided before it starts: the estimate (hfMemory.ts),
 * whether gradient checkpointing is on (asked, or by itself when the run would not fit otherwise),
 * and a refusal in one sentence, with what to lower, when even that does not fit. Better than the
 * WASM heap aborting half way through a step.
 */
import { EngineError } from '../errors.ts';
import { estimateLmTrainMemory, formatBytes, lmMemoryBudget, type DeviceLimits, type LmTrainMemory } from '../models/hf/hfMemory.ts';
import type { HfModelConfig } from '../models/hf/hfTypes.ts';

export interface LmMemoryPlan {
  estimate: LmTrainMemory;
  /** What this backend may hold (null: unknown, not checked). */
  budget: number | null;
  /** Checkpointing was turned on by the estimate, not asked for. */
  auto: boolean;
  /** The estimate without checkpointing, bytes. */
  plainBytes: number;
}

export interface LmRunShape {
  /** Bytes the loaded weights hold (float16 storage halves them); default 4 x totalParams. */
  weightBytes?: number;
  batch: number;
  maxLength: number;
  trainableParams: number;
  /** LmTrainConfig.gradientCheckpointing: absent decides from the estimate. */
  gradientCheckpointing?: boolean;
  /** A preference run: `batch` pairs, so 2 x batch sequences, and a reference pass (estimateLmTrainMemory). */
  pairs?: boolean;
}

/** `totalParams`: every weight of the model (LmModelSummary.totalParams). */
export function planLmMemory(config: HfModelConfig, totalParams: number, run: LmRunShape, backend: string, limits: DeviceLimits): LmMemoryPlan {
  const budget = lmMemoryBudget(backend, limits);
  const estimate = (checkpointing: boolean): LmTrainMemory =>
    estimateLmTrainMemory(config, { weightBytes: run.weightBytes, batch: run.batch, seqLen: run.maxLength, totalParams, trainableParams: run.trainableParams, checkpointing, pairs: run.pairs, backend });
  const fits = (e: LmTrainMemory): boolean => budget === null || e.totalBytes <= budget;
  const plain = estimate(false);
  if (run.gradientCheckpointing !== undefined) return { estimate: estimate(run.gradientCheckpointing), budget, auto: false, plainBytes: plain.totalBytes };
  if (fits(plain)) return { estimate: plain, budget, auto: false, plainBytes: plain.totalBytes };
  return { estimate: estimate(true), budget, auto: true, plainBytes: plain.totalBytes };
}

/** Throws 'out-of-memory' with the numbers and what to lower when the estimate exceeds the budget. */
export function checkLmMemory(plan: LmMemoryPlan, backend: string, run: LmRunShape): void {
  const { estimate, budget } = plan;
  if (budget === null || estimate.totalBytes <= budget) return;
  const where = backend === 'wasm' ? 'the WASM backend can hold at most' : `this device can spare about`;
  const lower = estimate.checkpointing ? 'lower the batch size or the maximum length' : 'turn on gradient checkpointing, or lower the batch size or the maximum length';
  throw new EngineError(
    'out-of-memory',
    `This run needs about ${formatBytes(estimate.totalBytes)} (weights ${formatBytes(estimate.weightBytes)}, activations ${formatBytes(Math.max(estimate.activationBytes + estimate.lossBytes, estimate.referenceBytes))} at batch ${run.batch}${run.pairs ? ' pairs (chosen and rejected)' : ''} x ${run.maxLength} tokens${estimate.checkpointing ? ', with gradient checkpointing' : ''}) but ${where} ${formatBytes(budget)}: ${lower}.`,
  );
}
