/** A seeded source of uniform numbers in [0, 1). Every generator in scripts/ takes one, never Math.random. */
export type Rng = () => number;

/**
 * mulberry32: a 32-bit state PRNG, tiny and fast, good enough for data generation and identical on every
 * JS engine (integer math only), which is what makes the built-in model and dataset reproducible.
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

/** In-place Fisher-Yates shuffle. */
export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
