/**
 * Learning-rate schedules with linear warm-up, matching Hugging Face transformers
 * (src/transformers/optimization.py) step for step.
 *
 * transformers' lr_lambda(step), a factor on the base learning rate, for 0-based `step`:
 *   warm-up (step < warmup):   step / max(1, warmup)                 -> step 0 trains at lr 0
 *   progress = (step - warmup) / max(1, total - warmup)
 *   cosine (get_cosine_schedule_with_warmup, num_cycles = 0.5; with min_lr_rate as in
 *           get_cosine_with_min_lr_schedule_with_warmup):
 *                              min + (1 - min) * 0.5 * (1 + cos(pi * progress))
 *   linear (get_linear_schedule_with_warmup):
 *                              max(0, (total - step) / max(1, total - warmup))
 *           which is 1 - progress; with a floor here: min + (1 - min) * (1 - progress).
 *           (transformers' linear schedule has no minimum; minLrRatio 0, the default, is identical.)
 *
 * As in transformers, the decay reaches min * base at step == totalSteps, one past the last
 * 0-based step, so the last step trains at a small non-minimum rate (linear: base/(total-warmup)).
 * Edge cases follow from the formulas: warmup 0 starts at base; warmup >= total never leaves the
 * warm-up ramp; total 1 with warmup 0 gives base for its single step.
 * One deliberate deviation: past totalSteps progress is clamped to 1 (transformers' cosine would
 * rise again), so an overshooting caller stays at the minimum.
 */
import type { LrSchedule } from '../api.ts';
export type { LrSchedule };

function assertNonNegativeInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

/** The learning rate for 0-based `step` of a run of `totalSteps` optimizer steps. */
export function learningRateAt(schedule: LrSchedule, baseLr: number, step: number, totalSteps: number): number {
  if (!Number.isFinite(baseLr) || baseLr < 0) throw new RangeError(`baseLr must be a finite non-negative number, got ${baseLr}`);
  assertNonNegativeInteger('step', step);
  assertNonNegativeInteger('totalSteps', totalSteps);
  if (schedule.kind === 'constant') return baseLr;

  const { warmupSteps } = schedule;
  const minLrRatio = schedule.minLrRatio ?? 0;
  assertNonNegativeInteger('warmupSteps', warmupSteps);
  if (!(minLrRatio >= 0 && minLrRatio <= 1)) throw new RangeError(`minLrRatio must be in [0, 1], got ${minLrRatio}`);

  if (step < warmupSteps) return (baseLr * step) / Math.max(1, warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  const decay = schedule.kind === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  return baseLr * (minLrRatio + (1 - minLrRatio) * decay);
}
