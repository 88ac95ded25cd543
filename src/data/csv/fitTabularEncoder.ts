import type { ColumnProfile } from './inferSchema.ts';
import { DEFAULT_MISSING_VALUES, parseNumber } from './inferSchema.ts';
import type { EncodedColumn, TabularEncoder } from './tabularTypes.ts';

export const DEFAULT_MAX_CATEGORIES = 50;
export const OTHER_CATEGORY = '(other)';

/**
 * Fits feature encoding on the training rows only (`trainRows` are indices into the profiles' rows):
 * - numeric: standardised with the train mean and (population) std; missing -> the train mean
 *   (0 after standardising); std 0 (or no values) -> 1.
 * - categorical: one-hot over categories seen in train; the `maxCategories` most frequent are kept
 *   (ties by name, kept ones listed in name order) and, when train has more, the rest share an
 *   "other" feature. A value not kept goes to "other" when the column has it, else to all zeros
 *   (so a category only seen in validation is all zeros). Missing -> all zeros.
 * Feature names: the column name for numeric columns, `column=value` for categories.
 */
export function fitTabularEncoder(
  features: ColumnProfile[],
  trainRows: ArrayLike<number>,
  label: TabularEncoder['label'],
  options: { maxCategories?: number; missingValues?: string[] } = {},
): TabularEncoder {
  const maxCategories = options.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  const columns: EncodedColumn[] = [];
  const featureNames: string[] = [];
  for (const col of features) {
    const offset = featureNames.length;
    if (col.type === 'numeric') {
      const numbers = col.numbers!;
      let n = 0;
      let sum = 0;
      for (let i = 0; i < trainRows.length; i++) {
        const x = numbers[trainRows[i]!]!;
        if (x === x) {
          n++;
          sum += x;
        }
      }
      const mean = n > 0 ? sum / n : 0;
      let sq = 0;
      for (let i = 0; i < trainRows.length; i++) {
        const x = numbers[trainRows[i]!]!;
        if (x === x) sq += (x - mean) * (x - mean);
      }
      const std = n > 0 ? Math.sqrt(sq / n) : 0;
      columns.push({ kind: 'numeric', name: col.name, offset, mean, std: std > 0 ? std : 1 });
      featureNames.push(col.name);
    } else {
      const counts = new Map<string, number>();
      for (let i = 0; i < trainRows.length; i++) {
        const v = col.values[trainRows[i]!]!;
        if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const byFrequency = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const categories = byFrequency
        .slice(0, maxCategories)
        .map(([v]) => v)
        .sort();
      const other = byFrequency.length > maxCategories;
      columns.push({ kind: 'categorical', name: col.name, offset, categories, other });
      for (const c of categories) featureNames.push(`${col.name}=${c}`);
      if (other) featureNames.push(`${col.name}=${OTHER_CATEGORY}`);
    }
  }
  return { columns, featureNames, missingValues: options.missingValues ?? DEFAULT_MISSING_VALUES, label };
}

/** Encodes the given rows of the profiled columns (same order as fitted) into [rows.length, F]. */
export function encodeTabularRows(
  encoder: TabularEncoder,
  features: ColumnProfile[],
  rows: ArrayLike<number>,
): Float32Array {
  const F = encoder.featureNames.length;
  const out = new Float32Array(rows.length * F);
  encoder.columns.forEach((enc, c) => {
    const col = features[c]!;
    if (enc.kind === 'numeric') {
      const numbers = col.numbers!;
      for (let i = 0; i < rows.length; i++) {
        const x = numbers[rows[i]!]!;
        out[i * F + enc.offset] = x === x ? (x - enc.mean) / enc.std : 0;
      }
    } else {
      const slot = new Map(enc.categories.map((v, k) => [v, enc.offset + k]));
      const otherSlot = enc.other ? enc.offset + enc.categories.length : -1;
      for (let i = 0; i < rows.length; i++) {
        const v = col.values[rows[i]!]!;
        if (v === '') continue;
        const s = slot.get(v) ?? otherSlot;
        if (s >= 0) out[i * F + s] = 1;
      }
    }
  });
  return out;
}

/** Encodes one raw record (column name -> cell text), e.g. for a prediction. Unknown or missing -> as in fitting. */
export function encodeTabularRecord(encoder: TabularEncoder, record: Record<string, string | number | null | undefined>): Float32Array {
  const out = new Float32Array(encoder.featureNames.length);
  const missing = new Set(encoder.missingValues);
  for (const enc of encoder.columns) {
    const raw = record[enc.name];
    const v = raw === null || raw === undefined ? '' : String(raw).trim();
    const isMissing = missing.has(v);
    if (enc.kind === 'numeric') {
      const x = isMissing ? NaN : parseNumber(v);
      out[enc.offset] = x === x ? (x - enc.mean) / enc.std : 0;
    } else if (!isMissing) {
      const k = enc.categories.indexOf(v);
      if (k >= 0) out[enc.offset + k] = 1;
      else if (enc.other) out[enc.offset + enc.categories.length] = 1;
    }
  }
  return out;
}
