import { describe, expect, it } from 'vitest';
import { estimateRemainingMs } from './eta.ts';

describe('estimateRemainingMs', () => {
  it('is unknown before the first step', () => {
    expect(estimateRemainingMs(null, 100)).toBeNull();
  });

  it('measures the rate after the first (warm-up) step', () => {
    // Step 1 took 2000 ms (compilation); steps 2..11 took 10 ms each.
    const timing = { firstStepsDone: 1, firstElapsedMs: 2000, lastStepsDone: 11, lastElapsedMs: 2100 };
    expect(estimateRemainingMs(timing, 111)).toBeCloseTo(1000);
  });

  it('uses the overall average until there are enough steps, and 0 at the end', () => {
    expect(estimateRemainingMs({ firstStepsDone: 1, firstElapsedMs: 50, lastStepsDone: 2, lastElapsedMs: 100 }, 10)).toBe(400);
    expect(estimateRemainingMs({ firstStepsDone: 1, firstElapsedMs: 5, lastStepsDone: 10, lastElapsedMs: 50 }, 10)).toBe(0);
  });
});
