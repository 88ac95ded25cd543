import { describe, expect, it } from 'vitest';
import { cellBackground, cellShade, matrixMax, rowTotals } from './confusion.ts';

describe('confusion helpers', () => {
  const m = [
    [4, 0],
    [1, 3],
  ];
  it('finds the largest count and the row totals', () => {
    expect(matrixMax(m)).toBe(4);
    expect(rowTotals(m)).toEqual([4, 4]);
  });
  it('shades by count, zero for empty cells and empty matrices', () => {
    expect(cellShade(4, 4)).toBe(1);
    expect(cellShade(1, 4)).toBe(0.25);
    expect(cellShade(0, 4)).toBe(0);
    expect(cellShade(0, 0)).toBe(0);
    expect(cellBackground(0, true)).toBe('transparent');
    expect(cellBackground(1, true)).toMatch(/^rgba\(5, 150, 105/);
    expect(cellBackground(1, false)).toMatch(/^rgba\(220, 38, 38/);
  });
});
