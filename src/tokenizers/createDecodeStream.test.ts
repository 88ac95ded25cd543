import { describe, expect, it } from 'vitest';
import { createDecodeStream } from './createDecodeStream.ts';
import { fixtureTokenizer } from './testFixtures.ts';

describe('createDecodeStream', () => {
  const tok = fixtureTokenizer('tiny-gpt2');

  it('holds back partial UTF-8 characters until their last byte arrives', () => {
    const text = 'hé 世界🎉 hello';
    const ids = tok.encode(text);
    // The tiny vocabulary has no merges for these: each multi-byte character spans several tokens.
    expect(ids.length).toBeGreaterThan([...text].length);
    const stream = createDecodeStream(tok);
    const pieces = ids.map((id) => stream.push(id));
    expect(pieces.join('') + stream.flush()).toBe(text);
    expect(pieces.some((p) => p.includes('\uFFFD'))).toBe(false);
    // 🎉 is four bytes: three pushes return nothing, the fourth returns the whole character.
    const emoji = tok.encode('🎉');
    const s2 = createDecodeStream(tok);
    expect(emoji.map((id) => s2.push(id))).toEqual(['', '', '', '🎉']);
  });

  it('returns exactly the text of each new token for ASCII', () => {
    const stream = createDecodeStream(tok);
    const ids = tok.encode('hello world, hello tab');
    const pieces = ids.map((id) => stream.push(id));
    expect(pieces.every((p) => p.length > 0)).toBe(true);
    expect(stream.text).toBe('hello world, hello tab');
  });

  it('skips special tokens on request and flushes a dangling partial character', () => {
    const stream = createDecodeStream(tok, { skipSpecialTokens: true });
    const ids = [...tok.encode('hi'), 0, ...tok.encode('é').slice(0, 1)];
    const out = ids.map((id) => stream.push(id)).join('');
    expect(out).toBe('hi');
    expect(stream.flush()).toBe('\uFFFD');
  });

  it('stays right over long streams (window trimming)', () => {
    const text = 'hello world, hello tab. '.repeat(40) + 'ü';
    const stream = createDecodeStream(tok);
    for (const id of tok.encode(text)) stream.push(id);
    stream.flush();
    expect(stream.text).toBe(text);
  });
});
