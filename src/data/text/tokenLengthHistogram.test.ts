import { describe, expect, it } from 'vitest';
import { lmSplit } from './lmSplit.ts';
import { tokenLengthHistogram } from './tokenLengthHistogram.ts';

describe('tokenLengthHistogram', () => {
  it('bins up to max(maxLength, longest) and counts the examples above maxLength', () => {
    const h = tokenLengthHistogram([1, 5, 100, 512, 513, 900], 512);
    expect(h.bins.length).toBeLessThanOrEqual(20);
    expect(h.bins.reduce((s, b) => s + b.count, 0)).toBe(6);
    expect(h.bins[h.bins.length - 1]!.end).toBeGreaterThan(900);
    expect(h.above).toBe(2);
    expect(h.longest).toBe(900);
    expect(h.bins[0]!.count).toBe(2);
  });

  it('handles no examples', () => {
    const h = tokenLengthHistogram([], 64);
    expect(h.above).toBe(0);
    expect(h.mean).toBe(0);
    expect(h.bins.every((b) => b.count === 0)).toBe(true);
  });
});

describe('lmSplit', () => {
  it('is seeded, disjoint and complete', () => {
    const a = lmSplit(50, 0.2, 7);
    expect(lmSplit(50, 0.2, 7)).toEqual(a);
    expect(a.validation.length).toBe(10);
    expect(new Set([...a.train, ...a.validation]).size).toBe(50);
    expect(lmSplit(50, 0.2, 8)).not.toEqual(a);
  });
});
