import type { LmDatasetSummary } from '../../../src/index.ts';

export interface HistogramBar {
  label: string;
  count: number;
  /** Height relative to the tallest bar, 0..1. */
  fraction: number;
  /** The bar holds examples longer than maxLength (they are truncated). */
  over: boolean;
}

/** Bars for the token-length histogram, scaled to the tallest; the "above" count becomes a last bar. */
export function histogramBars(h: LmDatasetSummary['histogram']): HistogramBar[] {
  const bars: HistogramBar[] = h.bins.map((b) => ({
    label: b.end - b.start <= 1 ? `${b.start}` : `${b.start}–${b.end}`,
    count: b.count,
    fraction: 0,
    over: b.start >= h.maxLength,
  }));
  if (h.above > 0) bars.push({ label: `> ${h.maxLength}`, count: h.above, fraction: 0, over: true });
  const max = bars.reduce((m, b) => Math.max(m, b.count), 0);
  for (const b of bars) b.fraction = max > 0 ? b.count / max : 0;
  return bars;
}
