/**
 * A tiny byte-level BPE trainer (GPT-2 style) that writes the tokenizer.json Hugging Face tokenizers
 * writes for such a model, so transformers, tokenizers and @huggingface/tokenizers all load it:
 *   - pre-tokenizer ByteLevel (GPT-2's regex, no prefix space), decoder ByteLevel
 *   - vocabulary: the special tokens first (ids 0..), then the 256 byte symbols (GPT-2's
 *     bytes_to_unicode alphabet, by code point, as the tokenizers trainer orders its alphabet), then one
 *     token per merge, in merge order
 *   - merges: the most frequent adjacent pair within pre-tokenized words, repeatedly; ties go to the
 *     pair that sorts first, so a run is deterministic
 * Special tokens are cut out of the training text first (they are added tokens, never merged).
 */

/** GPT-2's pre-tokenization pattern, as tokenizers' ByteLevel (use_regex: true) applies it. */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's bytes_to_unicode: byte -> a printable character, so every byte string is a plain string. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = '!'.charCodeAt(0); b <= '~'.charCodeAt(0); b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map: string[] = new Array<string>(256);
  for (const b of printable) map[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (map[b] === undefined) map[b] = String.fromCharCode(256 + n++);
  return map;
}

export interface BpeOptions {
  /** Total vocabulary size, special tokens and the 256 bytes included. */
  vocabSize: number;
  /** Added tokens, given ids 0, 1, ... in this order. */
  specialTokens: readonly string[];
  /** A pair must occur at least this often to be merged (default 2). */
  minFrequency?: number;
}

export interface TrainedBpe {
  vocab: Map<string, number>;
  merges: [string, string][];
  specialTokens: readonly string[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Word (in byte-symbol characters) -> count over all texts, special tokens removed. */
export function countWords(texts: Iterable<string>, specialTokens: readonly string[]): Map<string, number> {
  const byteChar = bytesToUnicode();
  const encoder = new TextEncoder();
  const split = specialTokens.length > 0 ? new RegExp(specialTokens.map(escapeRegExp).join('|'), 'g') : null;
  const counts = new Map<string, number>();
  for (const text of texts) {
    const pieces = split ? text.split(split) : [text];
    for (const piece of pieces) {
      for (const match of piece.matchAll(GPT2_PATTERN)) {
        let word = '';
        for (const byte of encoder.encode(match[0])) word += byteChar[byte];
        counts.set(word, (counts.get(word) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** Learns merges until the vocabulary reaches `vocabSize` or no pair is frequent enough. */
export function trainBpe(texts: Iterable<string>, options: BpeOptions): TrainedBpe {
  const minFrequency = options.minFrequency ?? 2;
  const vocab = new Map<string, number>();
  for (const token of options.specialTokens) vocab.set(token, vocab.size);
  const alphabet = [...bytesToUnicode()].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
  for (const symbol of alphabet) vocab.set(symbol, vocab.size);
  if (options.vocabSize < vocab.size) throw new RangeError(`vocabSize ${options.vocabSize} is below the ${vocab.size} special and byte tokens`);

  const words = [...countWords(texts, options.specialTokens)].map(([word, count]) => ({ symbols: [...word], count }));
  const merges: [string, string][] = [];
  const SEP = '\u0000';
  while (vocab.size < options.vocabSize) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = symbols[i] + SEP + symbols[i + 1];
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: string | null = null;
    let bestCount = 0;
    for (const [key, count] of pairs) {
      if (count > bestCount || (count === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === null || bestCount < minFrequency) break;
    const [left, right] = best.split(SEP) as [string, string];
    const merged = left + right;
    merges.push([left, right]);
    if (!vocab.has(merged)) vocab.set(merged, vocab.size);
    for (const word of words) {
      const s = word.symbols;
      if (s.length < 2) continue;
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === left && s[i + 1] === right) {
          out.push(merged);
          i++;
        } else out.push(s[i]!);
      }
      word.symbols = out;
    }
  }
  return { vocab, merges, specialTokens: options.specialTokens };
}

/** tokenizer.json as tokenizers (0.2x) saves a byte-level BPE (compare fixtures/hf-tiny/tiny-gpt2/base). */
export function tokenizerJson(bpe: TrainedBpe): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: bpe.specialTokens.map((content) => ({
      id: bpe.vocab.get(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: {},
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(bpe.vocab),
      merges: bpe.merges,
    },
  };
}

export interface TokenizerConfigOptions {
  bosToken: string;
  eosToken: string;
  padToken: string;
  chatTemplate: string;
  modelMaxLength: number;
}

/** tokenizer_config.json: special tokens by name, the chat template, and added_tokens_decoder as transformers writes it. */
export function tokenizerConfigJson(bpe: TrainedBpe, o: TokenizerConfigOptions): Record<string, unknown> {
  const decoder: Record<string, unknown> = {};
  for (const content of bpe.specialTokens) {
    decoder[String(bpe.vocab.get(content))] = { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true };
  }
  return {
    add_prefix_space: false,
    added_tokens_decoder: decoder,
    additional_special_tokens: bpe.specialTokens.filter((t) => t !== o.bosToken && t !== o.eosToken && t !== o.padToken),
    bos_token: o.bosToken,
    chat_template: o.chatTemplate,
    clean_up_tokenization_spaces: false,
    eos_token: o.eosToken,
    errors: 'replace',
    model_max_length: o.modelMaxLength,
    pad_token: o.padToken,
    tokenizer_class: 'PreTrainedTokenizerFast',
    unk_token: null,
  };
}
