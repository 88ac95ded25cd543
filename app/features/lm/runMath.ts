import type { LmEvalPoint, LmStepPoint } from '../../../src/index.ts';
import { smooth, type LossChartData } from '../training/chartData.ts';

/** Milliseconds left, from the average step time so far; null until a step came. */
export function lmEtaMs(stepsDone: number, totalSteps: number, elapsedMs: number): number | null {
  if (stepsDone <= 0 || totalSteps <= 0 || elapsedMs <= 0) return null;
  return Math.max(0, totalSteps - stepsDone) * (elapsedMs / stepsDone);
}

/** Train loss per step and validation loss at the evaluation steps on one x axis (accuracy: nulls). */
export function buildLmChartData(steps: readonly LmStepPoint[], evals: readonly LmEvalPoint[]): LossChartData {
  const train = new Map<number, number>();
  for (const p of steps) if (!train.has(p.step)) train.set(p.step, p.loss);
  const val = new Map<number, number>();
  for (const e of evals) val.set(e.step, e.validationLoss);
  const x = [...new Set([...train.keys(), ...val.keys()])].sort((a, b) => a - b);
  const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
  const trainLoss = x.map((s) => finite(train.get(s)));
  return {
    x,
    trainLoss,
    trainLossSmoothed: smooth(trainLoss),
    validationLoss: x.map((s) => finite(val.get(s))),
    validationAccuracy: x.map(() => null),
  };
}

/** Sample prompts from the textarea: one per line, blank lines dropped. */
export function parsePrompts(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** A Hub id or a URL, as the Model panel's text field reads it. */
export function parseModelSource(text: string): { kind: 'hub'; id: string } | { kind: 'url'; url: string } | null {
  const t = text.trim();
  if (t === '') return null;
  return /^https?:\/\//i.test(t) ? { kind: 'url', url: t } : { kind: 'hub', id: t };
}
