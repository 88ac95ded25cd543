import { createRng, shuffleInPlace } from './rng.ts';

export interface Split {
  /** Indices into the item list. */
  train: number[];
  validation: number[];
}

/**
 * A seeded, stratified train/validation split: each class keeps about `fraction` of its items for
 * validation (at least one, and at least one for training), so small classes are never missing
 * from either side. The same labels, fraction and seed always give the same split.
 */
export function stratifiedSplit(labels: number[], fraction: number, seed: number): Split {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validation fraction must be in [0, 1), got ${fraction}`);
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const list = byClass.get(label) ?? [];
    list.push(i);
    byClass.set(label, list);
  });
  const train: number[] = [];
  const validation: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffleInPlace(byClass.get(label) ?? [], rng);
    let nVal = Math.round(idx.length * fraction);
    if (fraction > 0 && idx.length >= 2) nVal = Math.min(Math.max(nVal, 1), idx.length - 1);
    validation.push(...idx.slice(0, nVal));
    train.push(...idx.slice(nVal));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}
