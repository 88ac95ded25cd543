/**
 * Test helper: a tiny Llama-2-style tokenizer.json (SentencePiece BPE: "▁" for spaces, byte fallback
 * for unknown characters, a decoder that strips the leading space, BOS added by the post-processor),
 * built here because the hf-tiny fixtures are both byte-level BPE.
 */
export function sentencePieceTokenizerJson(): string {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  const merges: string[][] = [];
  const add = (token: string): void => {
    if (!(token in vocab)) vocab[token] = Object.keys(vocab).length;
  };
  for (const c of '▁abcdefghijklmnopqrstuvwxyz[]/,.?!') add(c);
  for (const word of ['▁hello', '▁world', '▁tab', 'hello']) {
    for (let i = 2; i <= [...word].length; i++) {
      const left = [...word].slice(0, i - 1).join('');
      const right = [...word][i - 1]!;
      if (!merges.some(([l, r]) => l === left && r === right)) merges.push([left, right]);
      add(left + right);
    }
  }
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return JSON.stringify({
    version: '1.0',
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges },
  });
}

export const SENTENCE_PIECE_CONFIG = JSON.stringify({ bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' });
