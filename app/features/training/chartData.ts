import type { EpochPoint, StepPoint } from '../../../src/index.ts';

/** uPlot's aligned columns: one x (global step) and, per series, a value or null at each x. */
export interface LossChartData {
  x: number[];
  trainLoss: (number | null)[];
  /** Exponential moving average of trainLoss: small batches make the raw curve too noisy to read. */
  trainLossSmoothed: (number | null)[];
  validationLoss: (number | null)[];
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
    out.push({ step: last.step, epoch: last.epoch, loss });
  }
  return out;
}

/**
 * Puts per-step training loss and per-epoch validation metrics on one step axis. Epochs sit at the
 * step where they ended; an epoch step with no step point gets its own x (with a gap in the loss line).
 */
export function buildLossChartData(
  allSteps: readonly StepPoint[],
  epochs: readonly EpochPoint[],
  maxPoints = MAX_CHART_POINTS,
): LossChartData {
  const byEpochStep = new Map<number, EpochPoint>();
  for (const e of epochs) byEpochStep.set(e.step, e);

  const out: LossChartData = { x: [], trainLoss: [], trainLossSmoothed: [], validationLoss: [], validationAccuracy: [] };
  const push = (x: number, loss: number | null, epoch: EpochPoint | undefined): void => {
    out.x.push(x);
    out.trainLoss.push(loss !== null && Number.isFinite(loss) ? loss : null);
    out.validationLoss.push(epoch && Number.isFinite(epoch.validationLoss) ? epoch.validationLoss : null);
    out.validationAccuracy.push(epoch && Number.isFinite(epoch.validationAccuracy) ? epoch.validationAccuracy : null);
  };

  // Steps arrive in order; sort defensively only when they do not (uPlot needs ascending x).
  const steps = allSteps.every((p, i) => i === 0 || (allSteps[i - 1] as StepPoint).step < p.step)
    ? allSteps
    : [...allSteps].sort((a, b) => a.step - b.step);
  const ordered = decimateSteps(steps, maxPoints);
  const epochSteps = [...byEpochStep.keys()].sort((a, b) => a - b);
  let e = 0;
  let lastX = -Infinity;
  for (const point of ordered) {
    while (e < epochSteps.length && (epochSteps[e] as number) < point.step) {
      const x = epochSteps[e++] as number;
      if (x > lastX) push((lastX = x), null, byEpochStep.get(x));
    }
    if (point.step === lastX) continue; // duplicate step: the first one wins
    if (e < epochSteps.length && epochSteps[e] === point.step) e++;
    push((lastX = point.step), point.loss, byEpochStep.get(point.step));
  }
  for (; e < epochSteps.length; e++) {
    const x = epochSteps[e] as number;
    if (x > lastX) push((lastX = x), null, byEpochStep.get(x));
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
