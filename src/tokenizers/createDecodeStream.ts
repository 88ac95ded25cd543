import type { DecodeOptions, LmTokenizer } from './lmTokenizer.ts';

export interface DecodeStream {
  /** Adds one generated id and returns the text it completes ('' while a character is still partial). */
  push(id: number): string;
  /** Returns whatever is still held back (a partial character decodes to U+FFFD) and starts over. */
  flush(): string;
  /** All text returned so far. */
  readonly text: string;
}

const REPLACEMENT = '\uFFFD';

/**
 * Incremental decoding for streaming generation. Decoding one id at a time is wrong in two ways:
 * byte-level BPE splits a multi-byte character over several tokens (each alone decodes to U+FFFD),
 * and SentencePiece decoders strip a leading space from whatever they are given first. So, as
 * text-generation-inference does, we decode a short window that starts a few tokens back and return
 * only what it adds past the already-returned part, holding text back while it ends in U+FFFD.
 */
export function createDecodeStream(tokenizer: LmTokenizer, options: DecodeOptions = {}): DecodeStream {
  let ids: number[] = [];
  let prefixOffset = 0;
  let readOffset = 0;
  let text = '';
  const decode = (from: number, to: number): string => tokenizer.decode(ids.slice(from, to), options);

  return {
    push(id) {
      ids.push(id);
      const before = decode(prefixOffset, readOffset);
      const after = decode(prefixOffset, ids.length);
      if (after.length <= before.length || after.endsWith(REPLACEMENT)) return '';
      const added = after.slice(before.length);
      prefixOffset = readOffset;
      readOffset = ids.length;
      // Keep the window short: ids before prefixOffset never change what later ids decode to.
      if (prefixOffset > 64) {
        ids = ids.slice(prefixOffset);
        readOffset -= prefixOffset;
        prefixOffset = 0;
      }
      text += added;
      return added;
    },
    flush() {
      const rest = decode(prefixOffset, ids.length).slice(decode(prefixOffset, readOffset).length);
      ids = [];
      prefixOffset = 0;
      readOffset = 0;
      text += rest;
      return rest;
    },
    get text() {
      return text;
    },
  };
}
