import type { StepTiming } from '../../store/runSlice.ts';

/**
 * Milliseconds left in the run, or null while there is too little to go on. The rate is measured
 * from the first step on, not from zero: the first step includes one-off warm-up (shader compilation,
 * feature extraction) that would otherwise inflate the estimate for the whole run.
 */
export function estimateRemainingMs(timing: StepTiming | null, totalSteps: number): number | null {
  if (!timing || totalSteps <= 0) return null;
  const { firstStepsDone, firstElapsedMs, lastStepsDone, lastElapsedMs } = timing;
  const left = Math.max(0, totalSteps - lastStepsDone);
  if (left === 0) return 0;
  const measuredSteps = lastStepsDone - firstStepsDone;
  if (measuredSteps >= 2) return ((lastElapsedMs - firstElapsedMs) / measuredSteps) * left;
  // Too few steps for a warm rate yet: fall back to the overall average.
  if (lastStepsDone > 0 && lastElapsedMs > 0) return (lastElapsedMs / lastStepsDone) * left;
  return null;
}

/** Steps done so far, as the progress bar shows them. */
export function stepsDone(timing: StepTiming | null): number {
  return timing?.lastStepsDone ?? 0;
}
