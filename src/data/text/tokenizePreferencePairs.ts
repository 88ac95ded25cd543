/**
 * Preference pairs as token ids, exactly as TRL's DPOTrainer prepares them (_prepare_dataset and
 * DataCollatorForPreference):
 *   - standard format: EOS is appended to a completion that does not already end with it; the
 *     prompt and prompt + completion are tokenized without special tokens, and the completion's
 *     ids are what follows the prompt's ids;
 *   - conversational formats: the prompt through the chat template with the generation prompt,
 *     prompt + completion through the template without it; again the completion is what follows;
 *   - longer than maxLength: cut to its first maxLength tokens (TRL's keep_start), and a pair whose
 *     prompt alone fills maxLength is dropped; or, with overLong 'skip', the pair is left out.
 */
import type { PreferenceDatasetOptions } from '../../api/preferenceTypes.ts';
import type { LmTokenizer } from '../../tokenizers/lmTokenizer.ts';
import type { PreferencePair, PreferenceText } from './preferencePairs.ts';

export interface PreferenceExample {
  line: number;
  /** Tokens of the prompt: the completion starts at this position in both sequences. */
  promptLength: number;
  /** prompt + chosen completion (EOS included), at most maxLength tokens. */
  chosen: Int32Array;
  /** prompt + rejected completion, at most maxLength tokens. */
  rejected: Int32Array;
}

export interface TokenizedPreferences {
  examples: PreferenceExample[];
  /** Pairs longer than maxLength (cut, or left out). */
  tooLong: number;
  truncated: number;
  issues: { line: number; message: string }[];
}

export function tokenizePreferencePairs(pairs: PreferencePair[], tokenizer: LmTokenizer, options: Pick<PreferenceDatasetOptions, 'maxLength' | 'overLong'>): TokenizedPreferences {
  const { maxLength, overLong } = options;
  const eosText = tokenizer.eosId === null ? '' : tokenizer.decode([tokenizer.eosId], { skipSpecialTokens: false });
  const encode = (text: string) => tokenizer.encode(text, { addSpecialTokens: false });
  const examples: PreferenceExample[] = [];
  const issues: { line: number; message: string }[] = [];
  let tooLong = 0;
  let truncated = 0;
  for (const pair of pairs) {
    const promptIds = promptTokens(pair.prompt, tokenizer, encode);
    const chosen = [...promptIds, ...completionTokens(pair.prompt, pair.chosen, promptIds.length, tokenizer, encode, eosText)];
    const rejected = [...promptIds, ...completionTokens(pair.prompt, pair.rejected, promptIds.length, tokenizer, encode, eosText)];
    const longest = Math.max(chosen.length, rejected.length);
    if (longest > maxLength) {
      tooLong++;
      if (overLong === 'skip') {
        issues.push({ line: pair.line, message: `Line ${pair.line}: ${longest} tokens, more than the maximum length ${maxLength}; left out (choose "truncate" to cut it instead, or raise the maximum length).` });
        continue;
      }
      if (promptIds.length >= maxLength) {
        issues.push({ line: pair.line, message: `Line ${pair.line}: the prompt alone has ${promptIds.length} tokens, which fills the maximum length ${maxLength} and leaves no room for an answer; left out.` });
        continue;
      }
      truncated++;
    }
    examples.push({ line: pair.line, promptLength: promptIds.length, chosen: Int32Array.from(chosen.slice(0, maxLength)), rejected: Int32Array.from(rejected.slice(0, maxLength)) });
  }
  return { examples, tooLong, truncated, issues };
}

function promptTokens(prompt: PreferenceText, tokenizer: LmTokenizer, encode: (t: string) => number[]): number[] {
  if (typeof prompt === 'string') return encode(prompt);
  return encode(tokenizer.applyChatTemplate(prompt, { addGenerationPrompt: true }));
}

/** The completion's ids: what prompt + completion tokenizes to after the prompt's ids (TRL slices the same way). */
function completionTokens(prompt: PreferenceText, completion: PreferenceText, promptLength: number, tokenizer: LmTokenizer, encode: (t: string) => number[], eosText: string): number[] {
  if (typeof prompt === 'string' && typeof completion === 'string') {
    const ids = encode(prompt + completion).slice(promptLength);
    // TRL appends the EOS token's text unless the completion ends with it; appending its id is the same token.
    if (tokenizer.eosId !== null && !(eosText !== '' && completion.endsWith(eosText))) ids.push(tokenizer.eosId);
    return ids;
  }
  const messages = [...(typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt), ...(typeof completion === 'string' ? [{ role: 'assistant', content: completion }] : completion)];
  return encode(tokenizer.applyChatTemplate(messages)).slice(promptLength);
}
