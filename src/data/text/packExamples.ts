import type { LmExample } from './lmTypes.ts';

/**
 * Concatenates examples (each already ending in EOS) and cuts the stream into rows of exactly
 * maxLength tokens, the last one shorter; masks travel with their tokens. As in Hugging Face's
 * run_clm, an example may continue into the next row, and rows do not stop attention across
 * example boundaries: the EOS between them is what tells the model a new document starts.
 */
export function packExamples(examples: LmExample[], maxLength: number): LmExample[] {
  let total = 0;
  for (const e of examples) total += e.ids.length;
  const ids = new Int32Array(total);
  const mask = new Uint8Array(total);
  let at = 0;
  for (const e of examples) {
    ids.set(e.ids, at);
    mask.set(e.mask, at);
    at += e.ids.length;
  }
  const rows: LmExample[] = [];
  for (let start = 0; start < total; start += maxLength) {
    const end = Math.min(start + maxLength, total);
    rows.push({ ids: ids.slice(start, end), mask: mask.slice(start, end) });
  }
  return rows;
}
