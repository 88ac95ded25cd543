import type { LmExample } from './lmTypes.ts';

/** Ignored by the loss, as in PyTorch's cross-entropy ignore_index. */
export const IGNORE_LABEL = -100;

export interface LmBatch {
  /** [B * T] token ids, right-padded with padId. */
  ids: Int32Array;
  /** [B * T] next-token targets: labels[t] = ids[t + 1] where that token is trained, else -100. */
  labels: Int32Array;
  /** [B * T] 1 for real tokens, 0 for padding. */
  attention: Uint8Array;
  B: number;
  T: number;
}

/**
 * Builds one batch from `rows` of `examples`: right-pads to the longest row (at most maxLength;
 * longer rows are cut), and shifts labels so position t is scored on predicting token t + 1. The
 * last real position, padding and untrained tokens get -100.
 */
export function lmBatch(examples: LmExample[], rows: number[], maxLength: number, padId: number): LmBatch {
  const B = rows.length;
  let T = 0;
  for (const r of rows) T = Math.max(T, Math.min(examples[r]!.ids.length, maxLength));
  const ids = new Int32Array(B * T).fill(padId);
  const labels = new Int32Array(B * T).fill(IGNORE_LABEL);
  const attention = new Uint8Array(B * T);
  rows.forEach((r, b) => {
    const example = examples[r]!;
    const n = Math.min(example.ids.length, T);
    const base = b * T;
    ids.set(example.ids.subarray(0, n), base);
    attention.fill(1, base, base + n);
    for (let t = 0; t + 1 < n; t++) {
      if (example.mask[t + 1] === 1) labels[base + t] = example.ids[t + 1]!;
    }
  });
  return { ids, labels, attention, B, T };
}
