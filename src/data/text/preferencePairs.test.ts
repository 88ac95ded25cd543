import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../testing/errorOf.ts';
import type { LmTokenizer } from '../../tokenizers/lmTokenizer.ts';
import { preferenceText, readPreferencePairs } from './preferencePairs.ts';
import { tokenizePreferencePairs } from './tokenizePreferencePairs.ts';

const jsonl = (...rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');
const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });

/** One id per character; EOS 1; a chat template that writes "<role>content" per turn (and "<assistant>" to generate). */
const charTokenizer: LmTokenizer = {
  label: 'chars',
  vocabSize: 300,
  bosId: null,
  eosId: 1,
  padId: 0,
  specialIds: new Set([1]),
  chatTemplate: null,
  chatTemplateSource: 'default',
  encode: (text) => [...text].map((c) => c.charCodeAt(0) % 300),
  decode: (ids) => String.fromCharCode(...Array.from(ids)),
  tokenToId: () => null,
  applyChatTemplate: (messages, options) => messages.map((m) => `<${m.role}>${m.content}`).join('') + (options?.addGenerationPrompt ? '<assistant>' : ''),
};

describe('readPreferencePairs', () => {
  it("reads TRL's standard format", () => {
    const read = readPreferencePairs('p.jsonl', jsonl({ prompt: 'hi', chosen: ' a', rejected: ' b' }));
    expect(read.format).toBe('preference');
    expect(read.pairs).toEqual([{ line: 1, prompt: 'hi', chosen: ' a', rejected: ' b' }]);
  });

  it("reads TRL's conversational format, with an explicit or an implicit prompt", () => {
    const read = readPreferencePairs(
      'p.jsonl',
      jsonl(
        { prompt: [user('hi')], chosen: [assistant('a')], rejected: [assistant('b')] },
        { chosen: [user('hi'), assistant('a')], rejected: [user('hi'), assistant('b')] },
      ),
    );
    expect(read.format).toBe('preference-chat');
    expect(read.pairs[1]).toEqual({ line: 2, prompt: [user('hi')], chosen: [assistant('a')], rejected: [assistant('b')] });
    expect(preferenceText(read.pairs[0]!.prompt)).toBe('user: hi');
    expect(preferenceText(read.pairs[0]!.chosen)).toBe('a');
  });

  it("reads OpenAI's preference JSONL", () => {
    const line = { input: { messages: [user('hi')] }, preferred_output: [assistant('good')], non_preferred_output: [assistant('bad')] };
    const read = readPreferencePairs('p.jsonl', jsonl(line));
    expect(read.format).toBe('openai-preference');
    expect(read.pairs[0]).toEqual({ line: 1, prompt: [user('hi')], chosen: [assistant('good')], rejected: [assistant('bad')] });
  });

  it('lists bad lines by number: missing fields, empty completions, equal answers, bad JSON, bad roles', () => {
    const read = readPreferencePairs(
      'p.jsonl',
      jsonl(
        { prompt: 'ok', chosen: ' a', rejected: ' b' },
        { prompt: 'x', chosen: ' a' },
        { chosen: ' a', rejected: ' b' },
        { prompt: 'x', chosen: '  ', rejected: ' b' },
        { prompt: 'x', chosen: ' same', rejected: ' same' },
        'not json',
        '',
        { input: { messages: [{ role: 'robot', content: 'x' }] }, preferred_output: [assistant('a')], non_preferred_output: [assistant('b')] },
        { text: 'hello' },
      ),
    );
    expect(read.pairs).toHaveLength(1);
    expect(read.issues.map((i) => i.message)).toEqual([
      'Line 2: "rejected" is missing; a pair needs "prompt", "chosen" and "rejected".',
      'Line 3: "prompt" is missing; a pair needs "prompt", "chosen" and "rejected".',
      'Line 4: the chosen completion is empty.',
      'Line 5: chosen and rejected are the same; a pair needs two different answers.',
      expect.stringMatching(/^Line 6: not valid JSON/),
      'Line 8: "input.messages" message 1 has role "robot"; expected one of system, user, assistant, tool.',
      expect.stringMatching(/^Line 9: no recognised keys .* found "text"/),
    ]);
  });

  it('refuses mixed formats and a file with no pair, naming the file and line', () => {
    const mixed = thrownBy(() => readPreferencePairs('p.jsonl', jsonl({ prompt: 'x', chosen: ' a', rejected: ' b' }, { prompt: [user('x')], chosen: [assistant('a')], rejected: [assistant('b')] })));
    expect(mixed.code).toBe('preference-mixed-formats');
    expect(mixed.message).toMatch(/^p\.jsonl, line 2: this pair is in the preference-chat format, but the file started in the preference format \(line 1\)/);
    const empty = thrownBy(() => readPreferencePairs('p.jsonl', jsonl({ prompt: 'x', chosen: ' a' })));
    expect(empty.code).toBe('preference-empty');
    expect(empty.message).toContain('Line 1: "rejected" is missing');
  });
});

describe('tokenizePreferencePairs', () => {
  it('appends EOS to standard completions (not twice) and slices the completion after the prompt', () => {
    const { pairs } = readPreferencePairs('p.jsonl', jsonl({ prompt: 'ab', chosen: 'c', rejected: 'de\u0001' }));
    const { examples } = tokenizePreferencePairs(pairs, charTokenizer, { maxLength: 16, overLong: 'truncate' });
    expect(examples[0]!.promptLength).toBe(2);
    expect(Array.from(examples[0]!.chosen)).toEqual([97, 98, 99, 1]);
    expect(Array.from(examples[0]!.rejected)).toEqual([97, 98, 100, 101, 1]);
  });

  it('renders conversations with the chat template: the prompt with the generation header, no EOS added', () => {
    const { pairs } = readPreferencePairs('p.jsonl', jsonl({ prompt: [user('q')], chosen: [assistant('y')], rejected: [assistant('n')] }));
    const { examples } = tokenizePreferencePairs(pairs, charTokenizer, { maxLength: 64, overLong: 'truncate' });
    const e = examples[0]!;
    expect(charTokenizer.decode(e.chosen.subarray(0, e.promptLength))).toBe('<user>q<assistant>');
    expect(charTokenizer.decode(e.chosen.subarray(e.promptLength))).toBe('y');
  });

  it('cuts over-long pairs at maxLength (TRL keep_start) or leaves them out, counted and listed by line', () => {
    const { pairs } = readPreferencePairs('p.jsonl', jsonl({ prompt: 'ab', chosen: 'cdefgh', rejected: 'x' }, { prompt: 'abcdefgh', chosen: 'c', rejected: 'x' }, { prompt: 'a', chosen: 'b', rejected: 'c' }));
    const cut = tokenizePreferencePairs(pairs, charTokenizer, { maxLength: 6, overLong: 'truncate' });
    expect(cut.tooLong).toBe(2);
    expect(cut.truncated).toBe(1);
    expect(cut.examples.map((e) => e.line)).toEqual([1, 3]);
    expect(cut.examples[0]!.chosen).toHaveLength(6);
    expect(cut.issues.map((i) => i.message)).toEqual(['Line 2: the prompt alone has 8 tokens, which fills the maximum length 6 and leaves no room for an answer; left out.']);
    const skip = tokenizePreferencePairs(pairs, charTokenizer, { maxLength: 6, overLong: 'skip' });
    expect(skip.examples.map((e) => e.line)).toEqual([3]);
    expect(skip.issues.map((i) => i.line)).toEqual([1, 2]);
    expect(skip.issues[0]!.message).toMatch(/^Line 1: 9 tokens, more than the maximum length 6; left out/);
  });
});
