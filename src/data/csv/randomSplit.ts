import { createRng, shuffleInPlace } from '../rng.ts';
import type { Split } from '../split.ts';

/**
 * A seeded random train/validation split of `n` items (for regression, where there are no classes
 * to stratify by): round(n * fraction) items, at least 1 when fraction > 0 and n >= 2, and always at
 * least one left for training. The same n, fraction and seed always give the same split.
 */
export function randomSplit(n: number, fraction: number, seed: number): Split {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validation fraction must be in [0, 1), got ${fraction}`);
  const idx = shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    createRng(seed),
  );
  let nVal = Math.round(n * fraction);
  if (fraction > 0 && n >= 2) nVal = Math.min(Math.max(nVal, 1), n - 1);
  return {
    train: idx.slice(nVal).sort((a, b) => a - b),
    validation: idx.slice(0, nVal).sort((a, b) => a - b),
  };
}
