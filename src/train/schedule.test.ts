import { describe, expect, it } from 'vitest';
import { learningRateAt, type LrSchedule } from './schedule.ts';

const lrs = (s: LrSchedule, base: number, total: number, upTo = total): number[] =>
  Array.from({ length: upTo + 1 }, (_, step) => learningRateAt(s, base, step, total));

describe('learningRateAt', () => {
  it('constant ignores step and total', () => {
    expect(lrs({ kind: 'constant' }, 0.01, 3)).toEqual([0.01, 0.01, 0.01, 0.01]);
  });

  it('cosine with warm-up matches transformers get_cosine_schedule_with_warmup', () => {
    // base 1, warmup 2, total 6: warm-up 0/2, 1/2; then progress (s-2)/4 = 0, 1/4, 1/2, 3/4, 1
    // factor 0.5(1+cos(pi p)) = 1, (1+sqrt(1/2))/2 = 0.853553, 0.5, (1-sqrt(1/2))/2 = 0.146447, 0
    const expected = [0, 0.5, 1, 0.8535533905932737, 0.5, 0.14644660940672624, 0];
    lrs({ kind: 'cosine', warmupSteps: 2 }, 1, 6).forEach((lr, i) => expect(lr).toBeCloseTo(expected[i]!, 12));
  });

  it('cosine decays to minLrRatio * base', () => {
    // base 0.1, min 0.1, warmup 0, total 2: p = 0, 1/2, 1 -> factor 0.1 + 0.9 * (1, 0.5, 0) = 1, 0.55, 0.1
    const expected = [0.1, 0.055, 0.01];
    lrs({ kind: 'cosine', warmupSteps: 0, minLrRatio: 0.1 }, 0.1, 2).forEach((lr, i) => expect(lr).toBeCloseTo(expected[i]!, 12));
  });

  it('linear with warm-up matches transformers get_linear_schedule_with_warmup', () => {
    // base 2, warmup 1, total 5: step 0 -> 0/1 = 0; then (5 - s)/4 for s = 1..5 -> 1, 0.75, 0.5, 0.25, 0
    expect(lrs({ kind: 'linear', warmupSteps: 1 }, 2, 5)).toEqual([0, 2, 1.5, 1, 0.5, 0]);
  });

  it('linear with a floor', () => {
    // base 1, min 0.5, warmup 0, total 4: 0.5 + 0.5 * (1 - s/4) -> 1, 0.875, 0.75, 0.625, 0.5
    expect(lrs({ kind: 'linear', warmupSteps: 0, minLrRatio: 0.5 }, 1, 4)).toEqual([1, 0.875, 0.75, 0.625, 0.5]);
  });

  it('warmup 0 starts at the base rate', () => {
    expect(learningRateAt({ kind: 'cosine', warmupSteps: 0 }, 0.3, 0, 10)).toBe(0.3);
    expect(learningRateAt({ kind: 'linear', warmupSteps: 0 }, 0.3, 0, 10)).toBe(0.3);
  });

  it('warmup >= total never leaves the warm-up ramp', () => {
    // warmup 4, total 3: s/4 for s = 0..3 -> 0, 0.25, 0.5, 0.75 (the decay is never reached)
    expect(lrs({ kind: 'cosine', warmupSteps: 4 }, 1, 3)).toEqual([0, 0.25, 0.5, 0.75]);
    // warmup == total: step total is the first decay step, progress 0/max(1, 0) = 0 -> base
    expect(learningRateAt({ kind: 'linear', warmupSteps: 3 }, 1, 3, 3)).toBe(1);
  });

  it('a single-step run trains at the base rate without warm-up', () => {
    expect(learningRateAt({ kind: 'cosine', warmupSteps: 0 }, 0.01, 0, 1)).toBe(0.01);
    expect(learningRateAt({ kind: 'linear', warmupSteps: 0 }, 0.01, 0, 1)).toBe(0.01);
    // with warm-up 1 the single step is warm-up step 0: lr 0, as in transformers
    expect(learningRateAt({ kind: 'cosine', warmupSteps: 1 }, 0.01, 0, 1)).toBe(0);
  });

  it('stays at the minimum past totalSteps (progress clamped)', () => {
    // unclamped cosine at p = 1.5 would be 0.5(1 + cos(1.5 pi)) = 0.5; clamped it is min = 0.2
    expect(learningRateAt({ kind: 'cosine', warmupSteps: 0, minLrRatio: 0.2 }, 1, 6, 4)).toBeCloseTo(0.2, 12);
    expect(learningRateAt({ kind: 'linear', warmupSteps: 0 }, 1, 9, 4)).toBe(0);
  });

  it('rejects invalid arguments', () => {
    const cos: LrSchedule = { kind: 'cosine', warmupSteps: 1 };
    expect(() => learningRateAt(cos, 1, -1, 10)).toThrow(RangeError);
    expect(() => learningRateAt(cos, 1, 0.5, 10)).toThrow(RangeError);
    expect(() => learningRateAt(cos, Number.NaN, 0, 10)).toThrow(RangeError);
    expect(() => learningRateAt({ kind: 'cosine', warmupSteps: -1 }, 1, 0, 10)).toThrow(RangeError);
    expect(() => learningRateAt({ kind: 'linear', warmupSteps: 0, minLrRatio: 1.5 }, 1, 0, 10)).toThrow(RangeError);
  });
});
