import type { TokenLengthHistogram } from './lmTypes.ts';

/**
 * Bins example lengths for a chart: `binCount` equal bins from 0 to max(maxLength, longest), so the
 * maxLength cut-off always lies inside the chart, plus how many examples are longer than maxLength.
 */
export function tokenLengthHistogram(lengths: ArrayLike<number>, maxLength: number, binCount = 20): TokenLengthHistogram {
  let longest = 0;
  let sum = 0;
  let above = 0;
  for (let i = 0; i < lengths.length; i++) {
    const n = lengths[i]!;
    longest = Math.max(longest, n);
    sum += n;
    if (n > maxLength) above++;
  }
  const upper = Math.max(maxLength, longest, 1);
  const width = Math.max(1, Math.ceil((upper + 1) / binCount));
  const used = Math.ceil((upper + 1) / width);
  const bins = Array.from({ length: used }, (_, i) => ({ start: i * width, end: (i + 1) * width, count: 0 }));
  for (let i = 0; i < lengths.length; i++) bins[Math.min(Math.floor(lengths[i]! / width), used - 1)]!.count++;
  return { bins, above, maxLength, longest, mean: lengths.length ? sum / lengths.length : 0 };
}
