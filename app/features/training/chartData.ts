import type { EvalPoint, StepPoint } from '../../../src/index.ts';

/** uPlot's aligned columns: one x (global step) and, per series, a value or null at each x. */
export interface LossChartData {
  x: number[];
  trainLoss: (number | null)[];
  /** Exponential moving average of trainLoss: small batches make the raw curve too noisy to read. */
  trainLossSmoothed: (number | null)[];
  validationLoss: (number | null)[];
  /** Classification runs only; all null for other tasks (the chart then has no accuracy axis). */
  validationAccuracy: (number | null)[];
}

/**
 * More points than this are averaged into buckets before drawing: a chart a thousand pixels wide
 * cannot show more, and redrawing 100k points every frame would cost the page its responsiveness.
 */
export const MAX_CHART_POINTS = 4000;

/** Averages consecutive steps into at most `max` points (x = the bucket's last step). */
export function decimateSteps(steps: readonly StepPoint[], max: number): readonly StepPoint[] {
  if (steps.length <= max) return steps;
  const size = Math.ceil(steps.length / max);
  const out: StepPoint[] = [];
  for (let start = 0; start < steps.length; start += size) {
    const bucket = steps.slice(start, start + size);
    const finite = bucket.filter((p) => Number.isFinite(p.loss));
    const last = bucket[bucket.length - 1] as StepPoint;
    const loss = finite.length > 0 ? finite.reduce((sum, p) => sum + p.loss, 0) / finite.length : Number.NaN;
    out.push({ ...last, loss });
  }
  return out;
}

/**
 * Puts per-step training loss and the validation metrics of each evaluation on one step axis, for
 * every task. Evaluations sit at their step; one with no step point gets its own x (with a gap in the loss line).
 */
export function buildLossChartData(
  allSteps: readonly StepPoint[],
  evals: readonly EvalPoint[],
  maxPoints = MAX_CHART_POINTS,
): LossChartData {
  const byEvalStep = new Map<number, EvalPoint>();
  for (const e of evals) byEvalStep.set(e.step, e);

  const out: LossChartData = { x: [], trainLoss: [], trainLossSmoothed: [], validationLoss: [], validationAccuracy: [] };
  const push = (x: number, loss: number | null, point: EvalPoint | undefined): void => {
    out.x.push(x);
    out.trainLoss.push(loss !== null && Number.isFinite(loss) ? loss : null);
    out.validationLoss.push(point && Number.isFinite(point.validationLoss) ? point.validationLoss : null);
    out.validationAccuracy.push(point?.validationAccuracy !== undefined && Number.isFinite(point.validationAccuracy) ? point.validationAccuracy : null);
  };

  // Steps arrive in order; sort defensively only when they do not (uPlot needs ascending x).
  const steps = allSteps.every((p, i) => i === 0 || (allSteps[i - 1] as StepPoint).step < p.step)
    ? allSteps
    : [...allSteps].sort((a, b) => a.step - b.step);
  const ordered = decimateSteps(steps, maxPoints);
  const evalSteps = [...byEvalStep.keys()].sort((a, b) => a - b);
  let e = 0;
  let lastX = -Infinity;
  for (const point of ordered) {
    while (e < evalSteps.length && (evalSteps[e] as number) < point.step) {
      const x = evalSteps[e++] as number;
      if (x > lastX) push((lastX = x), null, byEvalStep.get(x));
    }
    if (point.step === lastX) continue; // duplicate step: the first one wins
    if (e < evalSteps.length && evalSteps[e] === point.step) e++;
    push((lastX = point.step), point.loss, byEvalStep.get(point.step));
  }
  for (; e < evalSteps.length; e++) {
    const x = evalSteps[e] as number;
    if (x > lastX) push((lastX = x), null, byEvalStep.get(x));
  }
  out.trainLossSmoothed = smooth(out.trainLoss);
  return out;
}

/** Weight of the history in the moving average (TensorBoard-style, debiased so the start is not pulled to 0). */
export const SMOOTHING = 0.9;

/** Debiased exponential moving average; gaps (null) stay gaps and do not reset the average. */
export function smooth(values: readonly (number | null)[], beta = SMOOTHING): (number | null)[] {
  let avg = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null) return null;
    avg = beta * avg + (1 - beta) * v;
    n += 1;
    return avg / (1 - beta ** n);
  });
}
