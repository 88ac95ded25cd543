import { createDecodeStream } from '../../tokenizers/createDecodeStream.ts';
import type { LmTokenizer } from '../../tokenizers/lmTokenizer.ts';

/** A trained character range [start, end) of the text. */
export interface CharSpan {
  start: number;
  end: number;
}

export interface TokenizedSpans {
  ids: number[];
  /** 1 for tokens that overlap a trained span. */
  mask: number[];
}

/**
 * Tokenizes `text` in one piece and marks the tokens that overlap `spans`.
 *
 * Why one piece: byte-level BPE merges across the places where prompt and answer meet (a space or
 * newline joins the next word), so tokenizing the parts separately gives ids the model never sees
 * at inference. Instead we tokenize the whole text, then recover each token's character range by
 * streaming the ids through the incremental decoder (which handles characters split across tokens
 * and SentencePiece's leading space). A token that straddles a span edge counts as trained.
 *
 * `addSpecialTokens` adds what the post-processor adds (Llama's BOS); those ids are never trained.
 */
export function tokenizeWithSpans(tokenizer: LmTokenizer, text: string, spans: CharSpan[], addSpecialTokens: boolean): TokenizedSpans {
  const core = tokenizer.encode(text, { addSpecialTokens: false });
  // Fully trained text (plain-text files, trainOnPrompt) needs no alignment, which is the slow part.
  const everything = spans.some((s) => s.start <= 0 && s.end >= text.length);
  const ends = everything ? [] : tokenCharEnds(tokenizer, core, text);
  const mask = core.map((_, k) => {
    if (everything) return 1;
    const start = k === 0 ? 0 : ends[k - 1]!;
    // A token that completes no character (part of a multi-byte one) belongs to the next character.
    const end = Math.max(ends[k]!, start + 1);
    return spans.some((s) => s.start < end && start < s.end && s.start < s.end) ? 1 : 0;
  });
  if (!addSpecialTokens) return { ids: core, mask };
  const { prefix, suffix } = specialAffixes(tokenizer);
  return {
    ids: [...prefix, ...core, ...suffix],
    mask: [...prefix.map(() => 0), ...mask, ...suffix.map(() => 0)],
  };
}

/** For each token, the character offset in `text` where its decoded text ends. */
export function tokenCharEnds(tokenizer: LmTokenizer, ids: number[], text: string): number[] {
  const stream = createDecodeStream(tokenizer);
  const decodedEnds: number[] = [];
  let length = 0;
  for (const id of ids) {
    length += stream.push(id).length;
    decodedEnds.push(length);
  }
  const decoded = stream.text + stream.flush();
  if (decoded === text) return decodedEnds;
  const toText = alignOffsets(decoded, text);
  return decodedEnds.map((end) => toText[end]!);
}

/**
 * Maps offsets of the decoded text onto the original when they differ (SentencePiece adds a space
 * after special tokens, normalizers change characters): walk both, letting either side skip
 * whitespace the other lacks, and pair up anything else one for one.
 */
export function alignOffsets(decoded: string, text: string): number[] {
  const map = new Array<number>(decoded.length + 1);
  let i = 0;
  let j = 0;
  while (i < decoded.length) {
    map[i] = j;
    if (j < text.length && decoded[i] === text[j]) {
      i++;
      j++;
    } else if (/\s/.test(decoded[i]!)) {
      i++;
    } else if (j < text.length && /\s/.test(text[j]!)) {
      j++;
    } else {
      i++;
      if (j < text.length) j++;
    }
  }
  map[decoded.length] = decoded.length === 0 ? 0 : text.length;
  return map;
}

const affixCache = new WeakMap<LmTokenizer, { prefix: number[]; suffix: number[] }>();

/** The ids the post-processor puts around any text (Llama: [BOS], []; GPT-2: none), found by diffing two encodes. */
function specialAffixes(tokenizer: LmTokenizer): { prefix: number[]; suffix: number[] } {
  let affixes = affixCache.get(tokenizer);
  if (!affixes) {
    const bare = tokenizer.encode('a', { addSpecialTokens: false });
    const full = tokenizer.encode('a', { addSpecialTokens: true });
    let at = -1;
    for (let p = 0; p + bare.length <= full.length && at < 0; p++) {
      if (bare.every((id, k) => full[p + k] === id)) at = p;
    }
    affixes = at < 0 ? { prefix: [], suffix: [] } : { prefix: full.slice(0, at), suffix: full.slice(at + bare.length) };
    affixCache.set(tokenizer, affixes);
  }
  return affixes;
}
