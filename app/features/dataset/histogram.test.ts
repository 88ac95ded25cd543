import { describe, expect, it } from 'vitest';
import { histogramBars } from './histogram.ts';

describe('histogramBars', () => {
  it('scales to the tallest bar and adds the above-max bar', () => {
    const bars = histogramBars({
      bins: [
        { start: 0, end: 16, count: 2 },
        { start: 16, end: 32, count: 8 },
        { start: 32, end: 48, count: 0 },
      ],
      above: 4,
      maxLength: 48,
      longest: 90,
      mean: 20,
    });
    expect(bars.map((b) => b.count)).toEqual([2, 8, 0, 4]);
    expect(bars.map((b) => b.fraction)).toEqual([0.25, 1, 0, 0.5]);
    expect(bars.map((b) => b.over)).toEqual([false, false, false, true]);
    expect(bars[0]!.label).toBe('0–16');
    expect(bars[3]!.label).toBe('> 48');
  });

  it('handles an empty histogram', () => {
    expect(histogramBars({ bins: [], above: 0, maxLength: 8, longest: 0, mean: 0 })).toEqual([]);
    const zero = histogramBars({ bins: [{ start: 0, end: 1, count: 0 }], above: 0, maxLength: 8, longest: 0, mean: 0 });
    expect(zero[0]).toMatchObject({ fraction: 0, label: '0' });
  });
});
