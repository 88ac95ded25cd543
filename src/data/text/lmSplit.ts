import { randomSplit } from '../csv/randomSplit.ts';
import type { Split } from '../split.ts';

/**
 * A seeded train/validation split of n language-model rows: about n * fraction for validation (at
 * least one when fraction > 0 and n >= 2), always one left to train on. Same inputs, same split.
 */
export function lmSplit(n: number, fraction: number, seed: number): Split {
  return randomSplit(n, fraction, seed);
}
