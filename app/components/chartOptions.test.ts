import { describe, expect, it } from 'vitest';
import { lossChartOptions, STEP_INCREMENTS } from './chartOptions.ts';

describe('lossChartOptions', () => {
  it('has no accuracy axis or series for a task without an accuracy (language models)', () => {
    const o = lossChartOptions(600, 280, { accuracy: false });
    expect(o.axes?.map((a) => a.label)).toEqual(['step', 'loss']);
    expect(o.series.map((s) => s.label)).toEqual(['step', 'train loss', 'smoothed', 'val. loss']);
    expect(o.scales?.accuracy).toBeUndefined();
  });

  it('adds the accuracy axis and series for classification', () => {
    const o = lossChartOptions(600, 280, { accuracy: true });
    expect(o.axes?.map((a) => a.label)).toEqual(['step', 'loss', 'val. accuracy']);
    expect(o.series.at(-1)?.label).toBe('val. accuracy');
  });

  it('ticks the step axis at whole numbers only', () => {
    const x = lossChartOptions(600, 280, { accuracy: false }).axes![0]!;
    expect(x.incrs).toEqual(STEP_INCREMENTS);
    expect(STEP_INCREMENTS.every((n) => Number.isInteger(n) && n >= 1)).toBe(true);
    const values = x.values as (u: unknown, ticks: number[]) => string[];
    expect(values(null, [1, 1.5, 2])).toEqual(['1', '', '2']);
  });
});
