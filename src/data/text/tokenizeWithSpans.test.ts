import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../tokenizers/loadTokenizer.ts';
import { fixtureText, fixtureTokenizer } from '../../tokenizers/testFixtures.ts';
import { alignOffsets, tokenizeWithSpans } from './tokenizeWithSpans.ts';

const tok = fixtureTokenizer('tiny-gpt2');
const trained = (ids: number[], mask: number[]): string => tok.decode(ids.filter((_, k) => mask[k] === 1));

describe('tokenizeWithSpans', () => {
  it('tokenizes the whole text once and marks exactly the span tokens', () => {
    const text = 'hello world, hello tab';
    const { ids, mask } = tokenizeWithSpans(tok, text, [{ start: 12, end: text.length }], false);
    expect(ids).toEqual(tok.encode(text));
    expect(trained(ids, mask)).toBe(' hello tab');
    expect(mask.slice(0, 7).every((m) => m === 0)).toBe(true);
  });

  it('trains a token that straddles the span start', () => {
    // "hello" is one token; the span starts inside it.
    const { ids, mask } = tokenizeWithSpans(tok, 'hello world', [{ start: 3, end: 11 }], false);
    expect(ids[0]).toBe(tok.tokenToId('hello'));
    expect(mask[0]).toBe(1);
    expect(trained(ids, mask)).toBe('hello world');
  });

  it('keeps multi-byte characters split over several tokens together', () => {
    const text = 'ab 世界 cd';
    const { ids, mask } = tokenizeWithSpans(tok, text, [{ start: 3, end: 5 }], false);
    expect(trained(ids, mask)).toBe('世界');
    expect(mask.filter((m) => m === 1).length).toBe(6); // 2 characters x 3 bytes
  });

  it('never trains the special tokens a post-processor adds', () => {
    const json = JSON.parse(fixtureText('tiny-llama', 'base/tokenizer.json'));
    json.post_processor = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|endoftext|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [0], tokens: ['<|endoftext|>'] } },
    };
    const withBos = loadTokenizer(JSON.stringify(json), fixtureText('tiny-llama', 'base/tokenizer_config.json'), 'bos-model');
    const { ids, mask } = tokenizeWithSpans(withBos, 'hello', [{ start: 0, end: 5 }], true);
    expect(ids[0]).toBe(0);
    expect(mask[0]).toBe(0);
    expect(mask.slice(1).every((m) => m === 1)).toBe(true);
  });
});

describe('alignOffsets', () => {
  it('maps a decoded text with an extra space back onto the original', () => {
    const map = alignOffsets('<s> hi', '<s>hi');
    expect(map[3]).toBe(3);
    expect(map[4]).toBe(3);
    expect(map[6]).toBe(5);
  });
});
