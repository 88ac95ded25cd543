import { describe, expect, it } from 'vitest';
import { errorOf } from '../../testing/errorOf.ts';
import { parseCsv, type ParseCsvOptions } from './parseCsv.ts';


/** Parses with every chunk size from tiny to whole, to prove chunk boundaries change nothing. */
async function parseEverySize(text: string | Uint8Array, options: ParseCsvOptions = {}) {
  const whole = await parseCsv(text, options);
  for (const chunkBytes of [1, 2, 3, 7, 16]) {
    const chunked = await parseCsv(text, { ...options, chunkBytes });
    expect(chunked.columns).toEqual(whole.columns);
    expect([...chunked.lines]).toEqual([...whole.lines]);
    expect(chunked.badRows).toEqual(whole.badRows);
  }
  return whole;
}

describe('parseCsv', () => {
  it('reads the header and columns, with line numbers counting the header', async () => {
    const p = await parseEverySize('a,b,c\n1,2,x\n3,4,y\n');
    expect(p.header).toEqual(['a', 'b', 'c']);
    expect(p.columns).toEqual([
      ['1', '3'],
      ['2', '4'],
      ['x', 'y'],
    ]);
    expect([...p.lines]).toEqual([2, 3]);
    expect(p.rowCount).toBe(2);
  });

  it('keeps commas and newlines inside quotes, and line numbers stay right after them', async () => {
    const text = 'id,text,label\n1,"hello, world",a\n2,"line one\nline two\nline three",b\n3,"say ""hi""",c\n4,x,y,z\n';
    const p = await parseEverySize(text);
    expect(p.columns[1]).toEqual(['hello, world', 'line one\nline two\nline three', 'say "hi"']);
    expect([...p.lines]).toEqual([2, 3, 6]);
    expect(p.badRows).toHaveLength(1);
    expect(p.badRows[0]!.line).toBe(7);
    expect(p.badRows[0]!.kind).toBe('field-count');
  });

  it('handles CRLF (including inside quotes) and a BOM', async () => {
    const p = await parseEverySize('\uFEFFname,v\r\n"a\r\nb",1\r\nc,2\r\nd,3,4\r\n');
    expect(p.header).toEqual(['name', 'v']);
    expect(p.columns).toEqual([
      ['a\r\nb', 'c'],
      ['1', '2'],
    ]);
    expect([...p.lines]).toEqual([2, 4]);
    expect(p.badRows.map((b) => b.line)).toEqual([5]);
  });

  it('handles CR-only line ends and a last line without newline', async () => {
    const p = await parseEverySize('a,b\r1,2\r3,4');
    expect(p.columns).toEqual([
      ['1', '3'],
      ['2', '4'],
    ]);
    expect([...p.lines]).toEqual([2, 3]);
  });

  it('reports wrong field counts by line and skips them; blank lines still count as lines', async () => {
    const p = await parseEverySize('a,b,c\n1,2,3\n\n1,2\n4,5,6,7\n8,9,10,\n');
    expect(p.badRows.map((b) => [b.line, b.kind])).toEqual([
      [4, 'field-count'],
      [5, 'field-count'],
    ]);
    expect(p.badRows[0]!.message).toBe('Line 4: expected 3 fields like the header, found 2.');
    expect(p.badRowCount).toBe(2);
    // A trailing empty field (a trailing comma) is tolerated.
    expect([...p.lines]).toEqual([2, 6]);
    expect(p.rowsInFile).toBe(4);
  });

  it('fails at the first bad row with onBadRow "fail"', async () => {
    const e = await errorOf(parseCsv('a,b\n1,2\n3\n4,5,6\n', { onBadRow: 'fail' }));
    expect(e.code).toBe('csv-bad-row');
    expect(e.message).toContain('Line 3:');
  });

  it('caps the listed bad rows and counts the rest', async () => {
    const text = 'a,b\n' + Array.from({ length: 10 }, () => '1\n').join('') + '1,2\n';
    const p = await parseCsv(text, { maxListedBadRows: 3 });
    expect(p.badRows).toHaveLength(3);
    expect(p.badRowCount).toBe(10);
    expect(p.rowCount).toBe(1);
  });

  it('reports an unclosed quote as a bad row on the line where it starts, with the lines it swallowed', async () => {
    const p = await parseEverySize('a,b\n1,2\n3,"open\n4,5\n');
    expect(p.rowCount).toBe(1);
    expect(p.linesInFile).toBe(4);
    expect(p.badRows.map((b) => [b.line, b.endLine, b.kind])).toEqual([[3, 4, 'bad-quotes']]);
    expect(p.badRows[0]!.message).toBe(
      'Lines 3–4: a quoted value opened on line 3 is never closed (missing "), so the 2 lines from there to the end of the file were read as one value and left out. Close the quote, or write a quote inside a value as "".',
    );
    const oneLine = await parseCsv('a,b\n1,"open');
    expect(oneLine.badRows[0]).toMatchObject({ line: 2, message: expect.stringMatching(/^Line 2: a quoted value opened on line 2 is never closed \(missing "\)\. /) });
    expect(oneLine.badRows[0]!.endLine).toBeUndefined();
    expect(oneLine.linesInFile).toBe(2);
  });

  /** 124 data rows; line 15 opens a quote; `closeAt` (optional) is a line that has a quoted value of its own. */
  function plants(closeAt?: number): string {
    const rows = ['height,width,colour,species'];
    for (let i = 2; i <= 125; i++) rows.push(i === 15 ? `${i},3,"red,oak` : i === closeAt ? `${i},4,"dark green",fir` : `${i},${i % 7},green,${i % 3 ? 'oak' : 'fir'}`);
    return `${rows.join('\n')}\n`;
  }

  it('says how many lines a quote left open on line 15 swallowed, to the end of the file', async () => {
    const p = await parseEverySize(plants());
    expect(p.linesInFile).toBe(125);
    expect(p.rowsInFile).toBe(14);
    expect(p.rowCount).toBe(13);
    expect(p.badRows).toEqual([expect.objectContaining({ kind: 'bad-quotes', line: 15, endLine: 125, message: expect.stringMatching(/^Lines 15–125: .*the 111 lines from there to the end of the file were read as one value and left out/) })]);
  });

  it('says which lines a quote opened on line 15 and closed on line 60 swallowed', async () => {
    const p = await parseEverySize(plants(60));
    expect(p.rowCount).toBe(78);
    expect(p.badRows).toEqual([expect.objectContaining({ kind: 'bad-quotes', line: 15, endLine: 60, message: expect.stringMatching(/^Lines 15–60: a quoted value opened on line 15 runs on to line 60 .*the 46 lines from 15 to 60 were read as one row and left out/) })]);
    // The user's choice: stop the import there instead, with the same sentence.
    const stopped = await errorOf(parseCsv(plants(60), { onBadRow: 'fail' }));
    expect(stopped).toMatchObject({ code: 'csv-bad-row', message: expect.stringMatching(/^Lines 15–60: .* Fix the row, or choose to skip bad rows\.$/) });
  });

  it('stops on a line longer than the cap, and on too many rows', async () => {
    const long = await errorOf(parseCsv(`a,b\n1,"${'x'.repeat(200)}\n`, { maxLineChars: 100, chunkBytes: 16 }));
    expect(long.code).toBe('csv-line-too-long');
    expect(long.message).toContain('Line 2');
    const many = await errorOf(parseCsv('a\n1\n2\n3\n', { maxRows: 2 }));
    expect(many.code).toBe('csv-too-many-rows');
  });

  it('rejects an empty file; a header-only file has no rows', async () => {
    expect((await errorOf(parseCsv(''))).code).toBe('csv-empty');
    expect((await errorOf(parseCsv('\n\n'))).code).toBe('csv-empty');
    const p = await parseCsv('a,b,c\n');
    expect(p.header).toEqual(['a', 'b', 'c']);
    expect(p.rowCount).toBe(0);
  });

  it('fails on invalid UTF-8 with the byte offset, whatever onBadRow says', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('a,b\n1,2\n'), 0xff, 0x2c, 0x33, 0x0a]);
    const e = await errorOf(parseCsv(bytes, { onBadRow: 'skip' }));
    expect(e.code).toBe('csv-invalid-utf8');
    expect(e.message).toContain('Line 3 (byte offset 8)');
  });

  it('renames empty and duplicate header names, guesses ; and tab delimiters', async () => {
    const p = await parseCsv('x;x;\n1;2;3\n');
    expect(p.header).toEqual(['x', 'x_2', 'column_3']);
    expect(p.headerIssues).toHaveLength(2);
    const t = await parseCsv('a\tb\n1,5\t2\n');
    expect(t.columns).toEqual([['1,5'], ['2']]);
  });

  it('reports progress with rows and bytes', async () => {
    const events: { rows: number; bytes: number; totalBytes: number | null }[] = [];
    await parseCsv(new Blob(['a,b\n1,2\n3,4\n']), { chunkBytes: 5, onProgress: (p) => events.push(p) });
    expect(events.at(-1)).toEqual({ rows: 2, bytes: 12, totalBytes: 12 });
    expect(events.map((e) => e.bytes)).toEqual([5, 10, 12]);
  });
});
