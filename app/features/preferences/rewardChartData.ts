import type { StepPoint } from '../../../src/index.ts';

/** The preference metrics TRL logs, per step, as the rewards chart draws them. */
export const REWARD_SERIES = ['rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies'] as const;

/** uPlot's aligned columns: the step, then one column per REWARD_SERIES entry (null where a step has no metrics). */
export function rewardChartData(steps: readonly StepPoint[]): (number | null)[][] {
  const withMetrics = steps.filter((p) => p.metrics);
  return [withMetrics.map((p) => p.step), ...REWARD_SERIES.map((key) => withMetrics.map((p) => (Number.isFinite(p.metrics![key]) ? p.metrics![key]! : null)))];
}
