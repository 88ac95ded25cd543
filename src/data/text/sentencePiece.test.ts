import { describe, expect, it } from 'vitest';
import { createDecodeStream } from '../../tokenizers/createDecodeStream.ts';
import { loadTokenizer } from '../../tokenizers/loadTokenizer.ts';
import { SENTENCE_PIECE_CONFIG, sentencePieceTokenizerJson } from '../../tokenizers/sentencePieceFixture.ts';
import { parseLmDataset } from './parseLmDataset.ts';

// Llama 2's template, reduced: BOS and EOS written by the template, answers after "[/inst]".
const LLAMA2_STYLE =
  "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}{{ '[inst] ' + m['content'] + ' [/inst]' }}{% else %}{{ ' ' + m['content'] + eos_token }}{% endif %}{% endfor %}";

describe('SentencePiece-style (Llama 2) tokenizers', () => {
  const config = JSON.stringify({ ...JSON.parse(SENTENCE_PIECE_CONFIG), chat_template: LLAMA2_STYLE });
  const tok = loadTokenizer(sentencePieceTokenizerJson(), config, 'sp-llama');

  it('adds BOS, round-trips text and streams with leading spaces and byte fallback', () => {
    const text = 'hello world é世 tab';
    const ids = tok.encode(text);
    expect(ids[0]).toBe(tok.bosId);
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe(text);
    const stream = createDecodeStream(tok, { skipSpecialTokens: true });
    const pieces = ids.map((id) => stream.push(id));
    expect(pieces).toContain(' world');
    expect(pieces.join('') + stream.flush()).toBe(text);
  });

  it('chat: one BOS, one EOS, the answer and its EOS trained', () => {
    const line = JSON.stringify({
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'hello world' },
      ],
    });
    const e = parseLmDataset({ name: 'chat.jsonl', text: line }, tok).examples[0]!;
    const ids = Array.from(e.ids);
    expect(ids.filter((id) => id === tok.bosId)).toHaveLength(1);
    expect(ids.filter((id) => id === tok.eosId)).toHaveLength(1);
    expect(ids[ids.length - 1]).toBe(tok.eosId);
    expect(tok.decode(ids.filter((_, k) => e.mask[k] === 1))).toBe('hello world</s>');
    expect(tok.decode(ids.filter((_, k) => e.mask[k] === 0))).toBe('<s> [inst] hello [/inst]');
  });

  it('prompt/completion: BOS from the post-processor is never trained', () => {
    const e = parseLmDataset({ name: 'pc.jsonl', text: JSON.stringify({ prompt: 'hello', completion: ' world' }) }, tok).examples[0]!;
    expect(e.ids[0]).toBe(tok.bosId);
    expect(Array.from(e.mask)).toEqual([0, 0, 1, 1]);
  });
});
