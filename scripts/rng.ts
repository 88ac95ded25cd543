/**
 * Seeded randomness for the generators in scripts/: the engine's own PRNG (mulberry32, integer math
 * only, identical on every JS engine), plus the few draws the image generator needs.
 */
import { createRng, shuffleInPlace, type Rng } from '../src/data/rng.ts';

export type { Rng };
export const mulberry32 = createRng;

/** Uniform in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** Integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Roughly normal (mean 0, sd 1): the Irwin-Hall sum of 4 uniforms, cheap and bounded (|x| < 3.5). */
export function gaussianish(rng: Rng): number {
  return (rng() + rng() + rng() + rng() - 2) * Math.sqrt(3);
}

/** A fresh seed drawn from `rng`, so that one master seed can fan out into independent streams. */
export function childSeed(rng: Rng): number {
  return Math.floor(rng() * 4294967296) >>> 0;
}

/** In-place Fisher-Yates shuffle (the engine's). */
export function shuffle<T>(rng: Rng, items: T[]): T[] {
  return shuffleInPlace(items, rng);
}
