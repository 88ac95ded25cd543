import { describe, expect, it } from 'vitest';
import { accuracy, confusionMatrix, perClassAccuracy } from './confusionMatrix.ts';

describe('confusionMatrix', () => {
  it('puts true classes on rows and predictions on columns', () => {
    // pairs (true, pred): (0,0) (0,1) (1,1) (2,1) (2,2) (2,2)
    const m = confusionMatrix(new Int32Array([0, 0, 1, 2, 2, 2]), [0, 1, 1, 1, 2, 2], 3);
    expect(m).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [0, 1, 2],
    ]);
    // recall: 1/2, 1/1, 2/3; accuracy: trace 4 / 6
    expect(perClassAccuracy(m)).toEqual([0.5, 1, 2 / 3]);
    expect(accuracy(m)).toBeCloseTo(4 / 6, 12);
  });

  it('gives NaN recall for a class with no samples, and NaN accuracy when empty', () => {
    // class 1 never occurs as a true label (but is predicted once)
    const m = confusionMatrix([0, 0], [0, 1], 2);
    expect(m).toEqual([
      [1, 1],
      [0, 0],
    ]);
    expect(perClassAccuracy(m)).toEqual([0.5, Number.NaN]);
    expect(accuracy(confusionMatrix([], [], 2))).toBeNaN();
    expect(confusionMatrix([], [], 2)).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('rejects mismatched lengths and out-of-range class ids', () => {
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow(RangeError);
    expect(() => confusionMatrix([2], [0], 2)).toThrow(RangeError);
    expect(() => confusionMatrix([0], [-1], 2)).toThrow(RangeError);
    expect(() => confusionMatrix([0.5], [0], 2)).toThrow(RangeError);
    expect(() => confusionMatrix([], [], 0)).toThrow(RangeError);
  });
});
