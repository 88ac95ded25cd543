import { describe, expect, it } from 'vitest';
import { IGNORE_LABEL, lmBatch } from './lmBatch.ts';
import type { LmExample } from './lmTypes.ts';

const example = (ids: number[], mask: number[]): LmExample => ({ ids: Int32Array.from(ids), mask: Uint8Array.from(mask) });

describe('lmBatch', () => {
  const examples = [example([10, 11, 12, 13], [0, 0, 1, 1]), example([20, 21], [1, 1]), example([30, 31, 32, 33, 34, 35], [1, 1, 1, 1, 1, 1])];

  it('right-pads to the longest row and shifts labels by one', () => {
    const batch = lmBatch(examples, [0, 1], 8, 99);
    expect(batch.T).toBe(4);
    expect(batch.B).toBe(2);
    expect(Array.from(batch.ids)).toEqual([10, 11, 12, 13, 20, 21, 99, 99]);
    expect(Array.from(batch.attention)).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
    // Row 0: positions 0..2 predict 11 (untrained), 12, 13; the last real position has no target.
    expect(Array.from(batch.labels)).toEqual([IGNORE_LABEL, 12, 13, IGNORE_LABEL, 21, IGNORE_LABEL, IGNORE_LABEL, IGNORE_LABEL]);
  });

  it('cuts rows longer than maxLength', () => {
    const batch = lmBatch(examples, [2, 1], 3, 0);
    expect(batch.T).toBe(3);
    expect(batch.ids.length).toBe(6);
    expect(Array.from(batch.ids.subarray(0, 3))).toEqual([30, 31, 32]);
    expect(Array.from(batch.labels.subarray(0, 3))).toEqual([31, 32, IGNORE_LABEL]);
  });
});
