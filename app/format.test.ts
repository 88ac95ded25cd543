import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatLoss, formatPercent, formatShape } from './format.ts';

describe('format', () => {
  it('formats durations for short and long runs', () => {
    expect(formatDuration(420)).toBe('0.4 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatDuration(Number.NaN)).toBe('—');
  });

  it('formats losses, percentages and shapes', () => {
    expect(formatLoss(1.23456)).toBe('1.235');
    expect(formatLoss(0.000412345)).toBe('0.0004123');
    expect(formatLoss(undefined)).toBe('—');
    expect(formatPercent(0.256)).toBe('25.6%');
    expect(formatShape([16, 16, 32])).toBe('16 × 16 × 32');
  });

  it('formats byte counts in human units', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MB');
    expect(formatBytes(-1)).toBe('—');
  });
});
