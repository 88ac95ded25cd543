import { describe, expect, it } from 'vitest';
import { EngineError } from '../../errors.ts';
import { countLineBreaks, decodeUtf8Chunks, findInvalidUtf8, type CsvSource } from './decodeUtf8Chunks.ts';

async function readAll(source: CsvSource, chunk = 4): Promise<string> {
  let text = '';
  for await (const c of decodeUtf8Chunks(source, chunk)) text += c.text;
  return text;
}

describe('decodeUtf8Chunks', () => {
  it('decodes multi-byte characters split across tiny chunks, from bytes, Blob and iterables', async () => {
    const s = 'naïve,日本,😀\nx';
    expect(await readAll(s, 1)).toBe(s);
    expect(await readAll(new Blob([s]), 3)).toBe(s);
    expect(await readAll(['na', 'ïve,日本,😀\nx'])).toBe(s);
  });

  it('drops a leading BOM only', async () => {
    expect(await readAll('\uFEFFa,b\n\uFEFF')).toBe('a,b\n\uFEFF');
  });

  it('names the byte offset and line of invalid UTF-8', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('a,b\nok,1\ncaf'), 0xe9, ...new TextEncoder().encode(',2\n')]);
    const err = await readAll(bytes, 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('csv-invalid-utf8');
    expect((err as EngineError).message).toContain('byte offset 12');
    expect((err as EngineError).message).toContain('Line 3');
    expect((err as EngineError).message).toContain('0xE9');
  });

  it('reports a multi-byte character cut off at the end', async () => {
    const bytes = new Uint8Array([0x61, 0x0a, 0xe6, 0x97]);
    const err = (await readAll(bytes, 64).catch((e: unknown) => e)) as EngineError;
    expect(err.code).toBe('csv-invalid-utf8');
    expect(err.message).toContain('byte offset 2');
  });

  it('reports progress in bytes', async () => {
    const seen: number[] = [];
    for await (const c of decodeUtf8Chunks('abcdefghij', 4)) {
      seen.push(c.bytes);
      expect(c.totalBytes).toBe(10);
    }
    expect(seen).toEqual([4, 8, 10]);
  });
});

describe('findInvalidUtf8', () => {
  it('agrees with the fatal TextDecoder on overlongs and surrogates', () => {
    expect(findInvalidUtf8(new TextEncoder().encode('héllo 😀'))).toBe(-1);
    expect(findInvalidUtf8(new Uint8Array([0x41, 0xc0, 0x80]))).toBe(1);
    expect(findInvalidUtf8(new Uint8Array([0x41, 0x42, 0xed, 0xa0, 0x80]))).toBe(2);
    expect(findInvalidUtf8(new Uint8Array([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
  });
});

describe('countLineBreaks', () => {
  it('counts \\n, \\r\\n and lone \\r once each', () => {
    expect(countLineBreaks('a\nb\r\nc\rd')).toBe(3);
    expect(countLineBreaks('a\nb\nc', 2)).toBe(1);
  });
});
