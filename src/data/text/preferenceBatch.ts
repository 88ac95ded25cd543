import type { PreferenceExample } from './tokenizePreferencePairs.ts';

/**
 * One batch of pairs as TRL's DataCollatorForPreference lays it out: the chosen sequences of the
 * rows, then their rejected sequences, right-padded to the longest ([2B, T]), so chosen and
 * rejected go through the model in one forward pass.
 */
export interface PreferenceBatch {
  /** [2B * T] token ids, padded with padId. */
  ids: Int32Array;
  /** [2B * T] the next token: labels[t] = ids[t + 1] (0 where there is none; always masked then). */
  labels: Int32Array;
  /** [2B * T] 1 where labels[t] is a completion token (TRL's shifted completion_mask). */
  completion: Float32Array;
  /** [2B * T] 1 where labels[t] is a real token (ORPO's NLL over prompt and answer). */
  targets: Float32Array;
  /** [2B * T] 1 for real tokens, 0 for padding. */
  attention: Float32Array;
  /** Completion tokens of each of the 2B sequences. */
  completionTokens: number[];
  B: number;
  T: number;
}

export function preferenceBatch(examples: PreferenceExample[], rows: number[], padId: number): PreferenceBatch {
  const sequences = [...rows.map((r) => examples[r]!.chosen), ...rows.map((r) => examples[r]!.rejected)];
  const prompts = [...rows, ...rows].map((r) => examples[r]!.promptLength);
  const N = sequences.length;
  const T = Math.max(...sequences.map((s) => s.length));
  const ids = new Int32Array(N * T).fill(padId);
  const labels = new Int32Array(N * T);
  const completion = new Float32Array(N * T);
  const targets = new Float32Array(N * T);
  const attention = new Float32Array(N * T);
  const completionTokens: number[] = [];
  sequences.forEach((seq, n) => {
    const base = n * T;
    ids.set(seq, base);
    attention.fill(1, base, base + seq.length);
    for (let t = 0; t + 1 < seq.length; t++) {
      labels[base + t] = seq[t + 1]!;
      targets[base + t] = 1;
      if (t + 1 >= prompts[n]!) completion[base + t] = 1;
    }
    completionTokens.push(Math.max(0, seq.length - prompts[n]!));
  });
  return { ids, labels, completion, targets, attention, completionTokens, B: rows.length, T };
}
