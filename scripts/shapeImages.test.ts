import { describe, expect, it } from 'vitest';
import { makeShapeImages } from './shapeImages.ts';
import { SAMPLE_CLASSES } from './shapes.ts';

describe('makeShapeImages', () => {
  const images = makeShapeImages(SAMPLE_CLASSES, 5, 11, 16);

  it('has perClass images of every class, shuffled, with pixels in [0, 1]', () => {
    expect(images.count).toBe(20);
    expect(images.pixels.length).toBe(20 * 16 * 16 * 3);
    const counts = SAMPLE_CLASSES.map((_, label) => images.labels.filter((l) => l === label).length);
    expect(counts).toEqual([5, 5, 5, 5]);
    // Shuffled: not simply class 0, 1, 2, 3, 0, 1, ...
    expect(Array.from(images.labels)).not.toEqual(Array.from({ length: 20 }, (_, i) => i % 4));
    expect(Math.min(...images.pixels)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...images.pixels)).toBeLessThanOrEqual(1);
  });

  it('is deterministic, and a larger set contains the smaller one', () => {
    const again = makeShapeImages(SAMPLE_CLASSES, 5, 11, 16);
    expect(Array.from(again.pixels)).toEqual(Array.from(images.pixels));
    const larger = makeShapeImages(SAMPLE_CLASSES, 8, 11, 16);
    const key = (set: typeof images, n: number) => set.pixels.subarray(n * 768, (n + 1) * 768).join(',');
    const largerKeys = new Set(Array.from({ length: larger.count }, (_, n) => key(larger, n)));
    for (let n = 0; n < images.count; n++) expect(largerKeys.has(key(images, n))).toBe(true);
  });
});
