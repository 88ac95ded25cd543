import { describe, expect, it } from 'vitest';
import type { EvalPoint, StepPoint } from '../../../src/index.ts';
import { buildLossChartData, smooth } from './chartData.ts';

const s = (step: number, loss: number): StepPoint => ({ step, epoch: 1, loss, learningRate: 0.01 });
const e = (epoch: number, step: number): EvalPoint => ({ epoch, step, validationLoss: 1 / epoch, validationAccuracy: epoch / 10, trainLoss: 2 / epoch });

describe('buildLossChartData', () => {
  it('puts epoch metrics at their step on the shared step axis', () => {
    const d = buildLossChartData([s(1, 3), s(2, 2), s(3, 1), s(4, 0.5)], [e(1, 2), e(2, 4)]);
    expect(d.x).toEqual([1, 2, 3, 4]);
    expect(d.trainLoss).toEqual([3, 2, 1, 0.5]);
    expect(d.validationLoss).toEqual([null, 1, null, 0.5]);
    expect(d.validationAccuracy).toEqual([null, 0.1, null, 0.2]);
  });

  it('adds an x for an epoch whose step has no step point, keeping x ascending', () => {
    const d = buildLossChartData([s(1, 3), s(3, 1)], [e(1, 2), e(2, 5)]);
    expect(d.x).toEqual([1, 2, 3, 5]);
    expect(d.trainLoss).toEqual([3, null, 1, null]);
    expect(d.validationLoss).toEqual([null, 1, null, 0.5]);
  });

  it('sorts out-of-order steps, drops duplicates and non-finite losses', () => {
    const d = buildLossChartData([s(2, 2), s(1, Number.NaN), s(2, 9)], []);
    expect(d.x).toEqual([1, 2]);
    expect(d.trainLoss).toEqual([null, 2]);
  });
});

describe('decimation', () => {
  it('averages long runs into buckets and keeps epoch points exact', () => {
    const steps = Array.from({ length: 10 }, (_, i) => s(i + 1, i + 1));
    const d = buildLossChartData(steps, [e(1, 5)], 4);
    // Buckets of 3: [1,2,3] [4,5,6] [7,8,9] [10]; epoch at step 5 gets its own x.
    expect(d.x).toEqual([3, 5, 6, 9, 10]);
    expect(d.trainLoss).toEqual([2, null, 5, 8, 10]);
    expect(d.validationLoss).toEqual([null, 1, null, null, null]);
  });
});

describe('smooth', () => {
  it('starts at the first value (debiased), follows the trend and keeps gaps', () => {
    const out = smooth([2, null, 2, 0], 0.5);
    expect(out[0]).toBeCloseTo(2);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeCloseTo(2);
    // avg = 0.5*(0.5*(0.5*0+0.5*2)+0.5*2)+0 = 0.75 ; debias 1-0.125 → 0.857
    expect(out[3]).toBeCloseTo(0.75 / 0.875);
  });
});

describe('tasks without an accuracy', () => {
  it('puts language-model evaluations (loss only) on the step axis, with no accuracy values', () => {
    const lmEval = (step: number, validationLoss: number): EvalPoint => ({ step, validationLoss, samples: [] });
    const d = buildLossChartData([s(1, 3), s(2, 2)], [lmEval(2, 2.5)]);
    expect(d.validationLoss).toEqual([null, 2.5]);
    expect(d.validationAccuracy).toEqual([null, null]);
  });
});
