/**
 * The job's data files: one JSON line per row of the tab's split, in the split's order, with the
 * token ids and loss mask exactly as the tab made them (chat template, completions and assistant
 * turns only, weight-0 turns skipped, truncation or packing). train.py trains on the tokens where
 * loss_mask is 1, so PyTorch sees the very rows and masks the tab trained on. Preference pairs go
 * as TRL's collator takes them.
 */
import type { LmExample } from '../data/text/lmTypes.ts';
import type { PreferenceExample } from '../data/text/tokenizePreferencePairs.ts';

export function jobDataLines(examples: LmExample[], rows: number[]): string {
  let out = '';
  for (const r of rows) {
    const e = examples[r];
    if (!e) throw new RangeError(`row ${r} is not in the dataset (${examples.length} rows)`);
    out += `{"input_ids":[${e.ids.join(',')}],"loss_mask":[${e.mask.join(',')}]}\n`;
  }
  return out;
}

/** Preference pairs: prompt + chosen and prompt + rejected ids; the completion starts at prompt_length in both. */
export function jobPairLines(examples: PreferenceExample[], rows: number[]): string {
  let out = '';
  for (const r of rows) {
    const e = examples[r];
    if (!e) throw new RangeError(`pair ${r} is not in the dataset (${examples.length} pairs)`);
    out += `{"chosen_ids":[${e.chosen.join(',')}],"rejected_ids":[${e.rejected.join(',')}],"prompt_length":${e.promptLength}}\n`;
  }
  return out;
}
