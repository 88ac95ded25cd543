import { describe, expect, it } from 'vitest';
import { randomSplit } from './randomSplit.ts';

describe('randomSplit', () => {
  it('is seeded, disjoint, complete and sized by the fraction', () => {
    const a = randomSplit(100, 0.2, 3);
    expect(randomSplit(100, 0.2, 3)).toEqual(a);
    expect(randomSplit(100, 0.2, 4)).not.toEqual(a);
    expect(a.validation).toHaveLength(20);
    expect([...a.train, ...a.validation].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(randomSplit(2, 0.01, 1).validation).toHaveLength(1);
    expect(randomSplit(5, 0, 1).validation).toHaveLength(0);
  });
});
