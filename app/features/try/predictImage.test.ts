import { describe, expect, it } from 'vitest';
import { rankPrediction } from './predictImage.ts';

describe('rankPrediction', () => {
  it('sorts classes by falling probability, ties in model order', () => {
    expect(rankPrediction(['a', 'b', 'c', 'd'], [0.1, 0.6, 0.15, 0.15])).toEqual([
      { name: 'b', probability: 0.6 },
      { name: 'c', probability: 0.15 },
      { name: 'd', probability: 0.15 },
      { name: 'a', probability: 0.1 },
    ]);
  });
});
