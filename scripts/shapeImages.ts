/**
 * In-memory labelled image sets for training and evaluation, as flat Float32 arrays ready for tf.tensor4d.
 */
import { childSeed, mulberry32, shuffle } from './rng.ts';
import { type ShapeKind, renderShape } from './shapes.ts';

/** The studio's input scale: bytes times 1/255, so values lie in [0, 1]. */
export const PIXEL_SCALE = 1 / 255;

export interface ShapeImages {
  /** [count, size, size, 3], row-major, values in [0, 1]. */
  pixels: Float32Array;
  /** Index into `classes` of each image. */
  labels: Int32Array;
  classes: readonly ShapeKind[];
  count: number;
  size: number;
}

/**
 * `perClass` images of each class, `size` x `size` RGB, in a seeded random order. Each image gets its own
 * rng stream, so a larger set (same seed) contains every image of a smaller one.
 */
export function makeShapeImages(
  classes: readonly ShapeKind[],
  perClass: number,
  seed: number,
  size: number,
): ShapeImages {
  const master = mulberry32(seed);
  const jobs: Array<{ label: number; seed: number }> = [];
  for (let i = 0; i < perClass; i++) {
    classes.forEach((_, label) => jobs.push({ label, seed: childSeed(master) }));
  }
  shuffle(master, jobs);

  const count = jobs.length;
  const pixels = new Float32Array(count * size * size * 3);
  const labels = new Int32Array(count);
  jobs.forEach((job, n) => {
    const rgba = renderShape(classes[job.label] as ShapeKind, mulberry32(job.seed), size);
    const base = n * size * size * 3;
    for (let p = 0; p < size * size; p++) {
      pixels[base + p * 3] = rgba[p * 4]! * PIXEL_SCALE;
      pixels[base + p * 3 + 1] = rgba[p * 4 + 1]! * PIXEL_SCALE;
      pixels[base + p * 3 + 2] = rgba[p * 4 + 2]! * PIXEL_SCALE;
    }
    labels[n] = job.label;
  });
  return { pixels, labels, classes, count, size };
}
