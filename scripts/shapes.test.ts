import { describe, expect, it } from 'vitest';
import { mulberry32 } from './rng.ts';
import {
  PRETRAIN_CLASSES,
  SAMPLE_CLASSES,
  type ShapeKind,
  coverage,
  luminance,
  renderScene,
  renderShape,
  sampleScene,
} from './shapes.ts';

const ALL: readonly ShapeKind[] = [...PRETRAIN_CLASSES, ...SAMPLE_CLASSES];

describe('mulberry32', () => {
  it('is deterministic and stays in [0, 1)', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    for (let i = 0; i < 1000; i++) {
      const v = a();
      expect(v).toBe(b());
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});

describe('renderShape', () => {
  it('keeps the two class sets disjoint', () => {
    const pretrain = new Set<string>(PRETRAIN_CLASSES);
    expect(SAMPLE_CLASSES.filter((k) => pretrain.has(k))).toEqual([]);
  });

  it.each(ALL)('%s: same seed gives identical bytes, RGBA of size*size*4', (kind) => {
    const a = renderShape(kind, mulberry32(42), 32);
    const b = renderShape(kind, mulberry32(42), 32);
    expect(a).toBeInstanceOf(Uint8ClampedArray);
    expect(a.length).toBe(32 * 32 * 4);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(renderShape(kind, mulberry32(42), 64).length).toBe(64 * 64 * 4);
  });

  it.each(ALL)('%s: different seeds give different images', (kind) => {
    const a = renderShape(kind, mulberry32(1), 32);
    const b = renderShape(kind, mulberry32(2), 32);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('is opaque', () => {
    const pixels = renderShape('star', mulberry32(5), 16);
    for (let i = 3; i < pixels.length; i += 4) expect(pixels[i]).toBe(255);
  });

  it.each(ALL)('%s: the foreground is visible in every one of 50 images', (kind) => {
    const rng = mulberry32(99);
    const size = 32;
    for (let n = 0; n < 50; n++) {
      const scene = sampleScene(kind, rng);
      const cover = coverage(scene, size);
      const pixels = renderScene(scene, rng, size);
      // Enough of the shape is in frame (not a sliver), and it does not swallow the frame.
      const mean = cover.reduce((s, c) => s + c, 0) / cover.length;
      expect(mean).toBeGreaterThan(0.025);
      expect(mean).toBeLessThan(0.8);
      // Pixels fully inside and fully outside differ clearly in brightness: the contrast survives gradient and noise.
      let inSum = 0;
      let inCount = 0;
      let outSum = 0;
      let outCount = 0;
      for (let i = 0; i < cover.length; i++) {
        const rgb: [number, number, number] = [
          pixels[i * 4]! / 255,
          pixels[i * 4 + 1]! / 255,
          pixels[i * 4 + 2]! / 255,
        ];
        if (cover[i] === 1) {
          inSum += luminance(rgb);
          inCount++;
        } else if (cover[i] === 0) {
          outSum += luminance(rgb);
          outCount++;
        }
      }
      expect(inCount).toBeGreaterThan(0);
      expect(outCount).toBeGreaterThan(0);
      expect(Math.abs(inSum / inCount - outSum / outCount)).toBeGreaterThan(0.2);
    }
  });
});
