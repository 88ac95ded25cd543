import { describe, expect, it } from 'vitest';
import { fixtureTokenizer } from '../../tokenizers/testFixtures.ts';
import { alpacaPrompt } from './alpacaPrompt.ts';
import type { LmExample } from './lmTypes.ts';
import { countLines, parseLmDataset } from './parseLmDataset.ts';
import { thrownBy } from '../../testing/errorOf.ts';

const tok = fixtureTokenizer('tiny-gpt2');
const EOS = '<|endoftext|>';
const trainedText = (e: LmExample): string => tok.decode(Array.from(e.ids).filter((_, k) => e.mask[k] === 1));
const untrainedText = (e: LmExample): string => tok.decode(Array.from(e.ids).filter((_, k) => e.mask[k] === 0));
const jsonl = (...records: unknown[]): string => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');


describe('parseLmDataset', () => {
  it('prompt/completion: the mask starts exactly at the completion, EOS trained', () => {
    const ds = parseLmDataset({ name: 'pc.jsonl', text: jsonl({ prompt: 'what are two', completion: ' frozen models' }) }, tok);
    expect(ds.format).toBe('prompt-completion');
    const e = ds.examples[0]!;
    expect(Array.from(e.ids)).toEqual([...tok.encode('what are two frozen models'), tok.eosId]);
    expect(trainedText(e)).toBe(` frozen models${EOS}`);
    expect(untrainedText(e)).toBe('what are two');
    expect(e.mask[e.mask.length - 1]).toBe(1);
  });

  it('alpaca: standard prompt masked, output trained, with and without input', () => {
    const text = jsonl({ instruction: 'Say hi', output: 'hello' }, { instruction: 'Greet', input: 'tab', output: 'hello tab' });
    const ds = parseLmDataset({ name: 'alpaca.jsonl', text }, tok);
    expect(ds.format).toBe('alpaca');
    expect(trainedText(ds.examples[0]!)).toBe(`hello${EOS}`);
    expect(untrainedText(ds.examples[0]!)).toBe(alpacaPrompt('Say hi', ''));
    expect(untrainedText(ds.examples[0]!)).toContain('### Instruction:\nSay hi\n\n### Response:\n');
    expect(untrainedText(ds.examples[1]!)).toContain('### Input:\ntab\n\n### Response:\n');
    expect(trainedText(ds.examples[1]!)).toBe(`hello tab${EOS}`);
  });

  it('{"text"} lines: every token trained', () => {
    const ds = parseLmDataset({ name: 't.jsonl', text: jsonl({ text: 'hello world' }, { text: 'hello tab' }) }, tok);
    expect(ds.format).toBe('text');
    expect(ds.examples.map(trainedText)).toEqual([`hello world${EOS}`, `hello tab${EOS}`]);
    expect(ds.trainedTokens).toBe(ds.totalTokens);
  });

  it('trainOnPrompt trains the prompt as well', () => {
    const ds = parseLmDataset({ name: 'pc.jsonl', text: jsonl({ prompt: 'a b', completion: ' c' }) }, tok, { trainOnPrompt: true });
    expect(ds.examples[0]!.mask.every((m) => m === 1)).toBe(true);
  });

  it('.txt: tokenizes the whole file and packs it into rows of maxLength, all trained', () => {
    const text = 'hello world, hello tab.\n'.repeat(30);
    const n = tok.encode(text).length + 1; // + EOS
    const ds = parseLmDataset({ name: 'book.txt', text }, tok, { maxLength: 64 });
    expect(ds.format).toBe('plain-text');
    expect(ds.examples.length).toBe(Math.ceil(n / 64));
    expect(ds.examples.slice(0, -1).every((e) => e.ids.length === 64)).toBe(true);
    expect(ds.examples[ds.examples.length - 1]!.ids.length).toBe(n - 64 * (ds.examples.length - 1));
    expect(ds.totalTokens).toBe(n);
    expect(ds.trainedTokens).toBe(n);
    expect(ds.truncated).toBe(0);
    expect([ds.linesInFile, ds.records, ds.recordsUsed]).toEqual([30, 1, 1]);
  });

  it('truncates long examples to maxLength and counts them', () => {
    const long = 'hello world '.repeat(20);
    const text = jsonl({ text: 'hi' }, { text: long }, { text: long + long });
    const ds = parseLmDataset({ name: 't.jsonl', text }, tok, { maxLength: 16 });
    expect(ds.truncated).toBe(2);
    expect(ds.examples.map((e) => e.ids.length)).toEqual([tok.encode('hi').length + 1, 16, 16]);
    expect(ds.tokenCounts.above).toBe(2);
    expect(ds.tokenCounts.longest).toBe(tok.encode(long + long).length + 1);
  });

  it('packing concatenates examples into full rows and keeps every mask bit', () => {
    const records = Array.from({ length: 12 }, (_, i) => ({ prompt: `what ${i}`, completion: ' hello tab' }));
    const plain = parseLmDataset({ name: 'pc.jsonl', text: jsonl(...records) }, tok, { maxLength: 32 });
    const packed = parseLmDataset({ name: 'pc.jsonl', text: jsonl(...records) }, tok, { maxLength: 32, packing: true });
    expect(packed.totalTokens).toBe(plain.totalTokens);
    expect(packed.trainedTokens).toBe(plain.trainedTokens);
    expect(packed.examples.slice(0, -1).every((e) => e.ids.length === 32)).toBe(true);
    const flat = (ds: typeof plain) => ds.examples.flatMap((e) => Array.from(e.mask));
    expect(flat(packed)).toEqual(flat(plain));
  });

  it('reports bad lines with 1-based line numbers, skips empty lines silently', () => {
    const text = jsonl(
      { text: 'hello' },
      '{"text": "broken',
      '',
      { text: 42 },
      { foo: 'bar' },
      '   ',
      { text: 'hello tab' },
    );
    const ds = parseLmDataset({ name: 'data.jsonl', text }, tok);
    expect(ds.examples).toHaveLength(2);
    expect(ds.issues.map((i) => i.line)).toEqual([2, 4, 5]);
    expect(ds.badLines).toBe(3);
    // What the file had and what was used: 7 lines, 5 records (2 blank lines), 2 used.
    expect([ds.linesInFile, ds.records, ds.recordsUsed]).toEqual([7, 5, 2]);
    expect(ds.issues[0]!.message).toMatch(/^Line 2: not valid JSON/);
    expect(ds.issues[1]!.message).toBe('Line 4: "text" must be a string.');
    expect(ds.issues[2]!.message).toContain('no recognised keys');
    expect(ds.issues[2]!.message).toContain('"foo"');
  });

  it('chat shape errors: unknown role, non-string content, bad weight', () => {
    const text = jsonl(
      { messages: [{ role: 'robot', content: 'x' }] },
      { messages: [{ role: 'user', content: ['x'] }] },
      { messages: [{ role: 'assistant', content: 'x', weight: 0.5 }] },
      { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello', weight: 0 }] },
      { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] },
    );
    const ds = parseLmDataset({ name: 'chat.jsonl', text }, tok);
    expect(ds.examples).toHaveLength(1);
    expect(ds.issues.map((i) => i.line)).toEqual([1, 2, 3, 4]);
    expect(ds.issues[0]!.message).toContain('"robot"');
    expect(ds.issues[3]!.message).toContain('nothing to train on');
  });

  it("onBadLine 'fail' stops at the first bad line, naming the file and line", () => {
    const error = thrownBy(() => parseLmDataset({ name: 'data.jsonl', text: jsonl({ text: 'a' }, '{oops', '[1]') }, tok, { onBadLine: 'fail' }));
    expect(error.code).toBe('lm-bad-line');
    expect(error.message).toContain('data.jsonl');
    expect(error.message).toContain('Line 2:');
  });

  it('throws naming the file when every line is bad, or the file is empty', () => {
    const error = thrownBy(() => parseLmDataset({ name: 'junk.jsonl', text: '{oops\n{"x": 1}\n' }, tok));
    expect(error.code).toBe('lm-no-examples');
    expect(error.message).toContain('junk.jsonl');
    expect(error.message).toContain('Line 1:');
    expect(thrownBy(() => parseLmDataset({ name: 'e.jsonl', text: '\n \n' }, tok)).code).toBe('lm-empty');
  });

  it('mixed formats: names the first line in another format', () => {
    const text = jsonl({ text: 'a' }, '{bad', { text: 'b' }, { prompt: 'p', completion: 'c' }, { text: 'c' });
    const error = thrownBy(() => parseLmDataset({ name: 'mixed.jsonl', text }, tok));
    expect(error.code).toBe('lm-mixed-formats');
    expect(error.message).toContain('mixed.jsonl, line 4');
    expect(error.message).toContain('(line 1)');
  });

  it('detects JSONL by content when the extension says nothing, and rejects JSON arrays', () => {
    expect(parseLmDataset({ name: 'data', text: jsonl({ text: 'hello' }) }, tok).format).toBe('text');
    expect(parseLmDataset({ name: 'notes', text: 'just words' }, tok).format).toBe('plain-text');
    expect(thrownBy(() => parseLmDataset({ name: 'd.json', text: '[{"text": "a"}]' }, tok)).code).toBe('lm-json-array');
  });

  it('counts lines with any line end, a last line without one included', () => {
    expect([countLines(''), countLines('a'), countLines('a\n'), countLines('a\r\nb'), countLines('a\rb\r'), countLines('\n\n')]).toEqual([0, 1, 1, 2, 2, 2]);
  });

  it('histogram of example lengths is ready to draw', () => {
    const ds = parseLmDataset({ name: 't.jsonl', text: jsonl({ text: 'hello' }, { text: 'hello world, hello tab' }) }, tok, { maxLength: 40 });
    expect(ds.tokenCounts.bins.reduce((s, b) => s + b.count, 0)).toBe(2);
    expect(ds.tokenCounts.maxLength).toBe(40);
  });
});
