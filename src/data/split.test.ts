import { describe, expect, it } from 'vitest';
import { stratifiedSplit } from './split.ts';

describe('stratifiedSplit', () => {
  const labels = [...Array(20).fill(0), ...Array(10).fill(1), ...Array(2).fill(2)] as number[];

  it('holds out about the fraction of every class, at least one each side', () => {
    const { train, validation } = stratifiedSplit(labels, 0.15, 42);
    expect(train.length + validation.length).toBe(labels.length);
    expect(new Set([...train, ...validation]).size).toBe(labels.length);
    const valCounts = [0, 1, 2].map((c) => validation.filter((i) => labels[i] === c).length);
    expect(valCounts).toEqual([3, 2, 1]);
    for (const c of [0, 1, 2]) expect(train.some((i) => labels[i] === c)).toBe(true);
  });

  it('is repeatable for a seed and changes with it', () => {
    expect(stratifiedSplit(labels, 0.3, 1)).toEqual(stratifiedSplit(labels, 0.3, 1));
    expect(stratifiedSplit(labels, 0.3, 1).validation).not.toEqual(stratifiedSplit(labels, 0.3, 2).validation);
  });

  it('keeps everything for training with fraction 0 and rejects nonsense', () => {
    expect(stratifiedSplit(labels, 0, 1).validation).toEqual([]);
    expect(() => stratifiedSplit(labels, 1, 1)).toThrow(RangeError);
  });
});
