/**
 * A run's step points as a checkpoint keeps them (the chart's history up to the checkpoint): columns
 * of typed arrays, so a long run's history costs 8-16 bytes a step in the checkpoint's binary part,
 * not a JSON object each. The loop appends a point per step; a resumed run starts from the saved ones.
 */
import type { StepPoint } from '../api.ts';

export interface StepHistory {
  /** Step of the first entry: 1, or later when the run resumed from a checkpoint that kept no history (format 1). */
  firstStep: number;
  loss: Float32Array;
  learningRate: Float32Array;
  /** Epoch-based runs: the 1-based epoch of each step. */
  epoch?: Int32Array;
  /** Language models: tokens per second over the run so far, at each step. */
  tokensPerSecond?: Float32Array;
}

/** The history of a checkpoint that kept none: it starts after `step`. */
export function emptyHistory(step: number): StepHistory {
  return { firstStep: step + 1, loss: new Float32Array(0), learningRate: new Float32Array(0) };
}

/** The history as the step points the chart shows (losses as float32). */
export function historyPoints(history: StepHistory): StepPoint[] {
  return Array.from(history.loss, (loss, i) => ({
    step: history.firstStep + i,
    loss,
    learningRate: history.learningRate[i]!,
    ...(history.epoch ? { epoch: history.epoch[i]! } : {}),
    ...(history.tokensPerSecond ? { tokensPerSecond: history.tokensPerSecond[i]! } : {}),
  }));
}

/** Collects a run's step points and hands out the history up to a step. */
export class StepHistoryRecorder {
  private firstStep: number;
  private readonly points: StepPoint[];

  constructor(from?: StepHistory) {
    this.firstStep = from?.firstStep ?? 1;
    this.points = from ? historyPoints(from) : [];
  }

  push(point: StepPoint): void {
    // A point must follow the last one; a gap (never expected) restarts the history there rather than mislabel steps.
    if (point.step !== this.firstStep + this.points.length) {
      this.points.length = 0;
      this.firstStep = point.step;
    }
    this.points.push(point);
  }

  /** Forgets the points after `step` (a rolled-back run goes on from there). */
  truncate(step: number): void {
    this.points.length = Math.max(0, Math.min(this.points.length, step - this.firstStep + 1));
  }

  capture(): StepHistory {
    const p = this.points;
    const hasEpoch = p.length > 0 && p.every((x) => x.epoch !== undefined);
    const hasTokens = p.length > 0 && p.every((x) => x.tokensPerSecond !== undefined);
    return {
      firstStep: this.firstStep,
      loss: Float32Array.from(p, (x) => x.loss),
      learningRate: Float32Array.from(p, (x) => x.learningRate),
      ...(hasEpoch ? { epoch: Int32Array.from(p, (x) => x.epoch!) } : {}),
      ...(hasTokens ? { tokensPerSecond: Float32Array.from(p, (x) => x.tokensPerSecond!) } : {}),
    };
  }
}
