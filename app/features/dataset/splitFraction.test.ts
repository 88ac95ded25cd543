import { describe, expect, it } from 'vitest';
import { fractionToPercent, parsePercent, percentToFraction } from './splitFraction.ts';

describe('validation share', () => {
  it('reads percentages, and fractions below 1 as the fraction they are', () => {
    expect(parsePercent('15')).toBe(15);
    expect(parsePercent('20%')).toBe(20);
    expect(parsePercent('0.2')).toBe(20);
    expect(parsePercent('')).toBeNull();
    expect(parsePercent('abc')).toBeNull();
  });

  it('converts without float dust', () => {
    expect(percentToFraction(15)).toBe(0.15);
    expect(percentToFraction(33)).toBe(0.33);
    expect(fractionToPercent(0.15)).toBe(15);
    expect(fractionToPercent(0.07)).toBe(7);
  });
});
