import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_TEMPLATE, loadTokenizer } from '../src/tokenizers/index.ts';
import { chatMl, generateDocuments, SPECIAL_TOKENS } from './lmCorpus.ts';
import { bytesToUnicode, countWords, tokenizerConfigJson, tokenizerJson, trainBpe } from './trainBpe.ts';

const EOT = '<|endoftext|>';

function trainedTokenizer(vocabSize = 400) {
  const bpe = trainBpe(generateDocuments(11, 1500), { vocabSize, specialTokens: SPECIAL_TOKENS });
  const config = tokenizerConfigJson(bpe, { bosToken: EOT, eosToken: EOT, padToken: EOT, chatTemplate: DEFAULT_CHAT_TEMPLATE, modelMaxLength: 128 });
  return { bpe, tokenizer: loadTokenizer(JSON.stringify(tokenizerJson(bpe)), JSON.stringify(config), 'test-bpe') };
}

describe('bytesToUnicode', () => {
  it('is GPT-2 byte map: printable bytes map to themselves, the rest from U+0100', () => {
    const map = bytesToUnicode();
    expect(new Set(map).size).toBe(256);
    expect(map['a'.charCodeAt(0)]).toBe('a');
    expect(map[32]).toBe('Ġ'); // space
    expect(map[10]).toBe('Ċ'); // newline
    expect(map[0]).toBe('Ā');
  });
});

describe('trainBpe', () => {
  it('counts pre-tokenized words in byte symbols, without the special tokens', () => {
    const counts = countWords(['the fox.<|endoftext|>the fox'], SPECIAL_TOKENS);
    expect(Object.fromEntries(counts)).toEqual({ the: 2, 'Ġfox': 2, '.': 1 });
  });

  it('lays the vocabulary out as tokenizers does: specials, 256 bytes, then merges', () => {
    const { bpe } = trainedTokenizer();
    expect(bpe.vocab.size).toBe(400);
    expect([...bpe.vocab.keys()].slice(0, 4)).toEqual([...SPECIAL_TOKENS, '!']);
    expect(bpe.merges.length).toBe(400 - 3 - 256);
    // Every merge makes a token that is in the vocabulary, after the byte alphabet.
    for (const [a, b] of bpe.merges) expect(bpe.vocab.get(a + b)).toBeGreaterThanOrEqual(259);
    // Deterministic.
    expect(trainBpe(generateDocuments(11, 1500), { vocabSize: 400, specialTokens: SPECIAL_TOKENS }).merges).toEqual(bpe.merges);
  });

  it('round-trips corpus text and arbitrary bytes through loadTokenizer', () => {
    const { tokenizer } = trainedTokenizer();
    expect(tokenizer.vocabSize).toBe(400);
    expect([tokenizer.bosId, tokenizer.eosId, tokenizer.padId]).toEqual([0, 0, 0]);
    expect([...tokenizer.specialIds]).toEqual([0, 1, 2]);
    let chars = 0;
    let tokens = 0;
    for (const doc of generateDocuments(12, 100)) {
      const ids = tokenizer.encode(doc + EOT);
      expect(tokenizer.decode(ids)).toBe(doc + EOT);
      expect(ids.at(-1)).toBe(0);
      chars += doc.length;
      tokens += ids.length;
    }
    expect(chars / tokens).toBeGreaterThan(2.5); // merges compress the text
    for (const text of ['héllo wörld\t  x', 'ASCII ~`|{}', 'emoji \u{1F98A} and \u00e9']) expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    // Frequent words become single tokens, with their leading space.
    expect(tokenizer.encode(' the').length).toBe(1);
  });

  it('renders and encodes ChatML with the special tokens as single ids', () => {
    const { tokenizer } = trainedTokenizer();
    const messages = [
      { role: 'user', content: 'what color is the fox?' },
      { role: 'assistant', content: 'The fox is red.' },
    ];
    const text = tokenizer.applyChatTemplate(messages);
    expect(text).toBe(chatMl(messages));
    expect(text).toBe('<|im_start|>user\nwhat color is the fox?<|im_end|>\n<|im_start|>assistant\nThe fox is red.<|im_end|>\n');
    expect(tokenizer.applyChatTemplate(messages.slice(0, 1), { addGenerationPrompt: true }).endsWith('<|im_start|>assistant\n')).toBe(true);
    const ids = tokenizer.encode(text, { addSpecialTokens: false });
    expect(ids[0]).toBe(tokenizer.tokenToId('<|im_start|>'));
    expect(ids.filter((id) => id === 1)).toHaveLength(2);
    expect(ids.filter((id) => id === 2)).toHaveLength(2);
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('user\nwhat color is the fox?\nassistant\nThe fox is red.\n');
  });
});
