import Papa from 'papaparse';
import { EngineError } from '../../errors.ts';
import { countLineBreaks, decodeUtf8Chunks, DEFAULT_CHUNK_BYTES, type CsvSource } from './decodeUtf8Chunks.ts';
import type { BadRowPolicy, CsvIssue, CsvProgress } from './tabularTypes.ts';

export interface ParseCsvOptions {
  /** Field delimiter; by default guessed from the header line among , ; tab and |. */
  delimiter?: string;
  /** What to do with a malformed row: leave it out and list it (default), or stop with an error. */
  onBadRow?: BadRowPolicy;
  /** Data rows allowed (default 500,000): more stops the import with `csv-too-many-rows`. */
  maxRows?: number;
  /** Longest row allowed, in characters (default 1 MiB); longer stops with `csv-line-too-long`. */
  maxLineChars?: number;
  /** How many bad rows are listed one by one (default 100); the rest are only counted. */
  maxListedBadRows?: number;
  /** Bytes read per step (default 1 MiB). */
  chunkBytes?: number;
  /** Called after every chunk. */
  onProgress?: (progress: CsvProgress) => void;
  signal?: AbortSignal;
}

/** The CSV as columns of raw strings: only well-formed rows are kept. */
export interface ParsedCsv {
  header: string[];
  /** columns[c][r]: the raw cell (untrimmed) of kept row r. */
  columns: string[][];
  /** 1-based line in the file where each kept row starts (the header is line 1 unless blank lines precede it). */
  lines: Int32Array;
  rowCount: number;
  /** Data rows seen (kept + bad; blank lines excluded). */
  rowsInFile: number;
  /** Lines in the file (a last line without a line break counts). */
  linesInFile: number;
  /** Header problems (renamed columns). */
  headerIssues: CsvIssue[];
  /** Listed bad rows (at most maxListedBadRows). */
  badRows: CsvIssue[];
  /** All bad rows, listed or not. */
  badRowCount: number;
  delimiter: string;
  bytes: number;
}

export const DEFAULT_MAX_ROWS = 500_000;
export const DEFAULT_MAX_LINE_CHARS = 1 << 20;
export const DEFAULT_MAX_LISTED_BAD_ROWS = 100;

/** Records bad rows: lists the first few, counts all, or throws at the first in 'fail' mode. */
export class BadRowLog {
  readonly listed: CsvIssue[] = [];
  count = 0;
  constructor(
    private readonly policy: BadRowPolicy,
    private readonly cap: number,
  ) {}

  add(issue: CsvIssue): void {
    if (this.policy === 'fail') {
      throw new EngineError('csv-bad-row', `${issue.message} Fix the row, or choose to skip bad rows.`);
    }
    this.count++;
    if (this.listed.length < this.cap) this.listed.push(issue);
  }

  /** The listed issues, plus one entry counting the ones not listed. */
  issues(): CsvIssue[] {
    const rest = this.count - this.listed.length;
    if (rest <= 0) return [...this.listed];
    return [
      ...this.listed,
      { kind: 'more-bad-rows', line: null, message: `${rest} more bad row${rest === 1 ? '' : 's'} skipped (not listed).` },
    ];
  }
}

function guessDelimiter(text: string): string {
  const nl = text.search(/[\r\n]/);
  const firstLine = nl < 0 ? text : text.slice(0, nl);
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** The newline papaparse should split on, from the first line break in the text (null: none yet). */
function guessNewline(text: string, final: boolean): '\n' | '\r\n' | '\r' | null {
  const i = text.search(/[\r\n]/);
  if (i < 0) return final ? '\n' : null;
  if (text[i] === '\n') return '\n';
  if (i + 1 >= text.length) return final ? '\r' : null;
  return text[i + 1] === '\n' ? '\r\n' : '\r';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A malformed quoted value. One that swallowed later lines says which: a quote never closed takes the
 * rest of the file into one value, and "line 15 skipped" alone would hide that 110 lines went with it.
 */
export function quoteIssue(neverClosed: boolean, at: number, end: number, delimiter: string): CsvIssue {
  const span = end > at;
  const where = span ? `Lines ${at}–${end}` : `Line ${at}`;
  const swallowed = span ? `, so the ${end - at + 1} lines from ${at} to ${end} were read as one row and left out` : '';
  const next = delimiter === '\t' ? 'tab' : `"${delimiter}"`;
  const message = neverClosed
    ? `${where}: a quoted value opened on line ${at} is never closed (missing ")${span ? `, so the ${end - at + 1} lines from there to the end of the file were read as one value and left out` : ''}. Close the quote, or write a quote inside a value as "".`
    : `${where}: a quoted value opened on line ${at} ${span ? `runs on to line ${end}` : 'ends'} and is followed by more text before the next ${next}${swallowed}. Write a quote inside a quoted value as "".`;
  return { kind: 'bad-quotes', line: at, ...(span ? { endLine: end } : {}), message };
}

/**
 * Streams a CSV through papaparse's own incremental parser (Papa.Parser with ignoreLastRow, as its
 * streamers do): text arrives in chunks from decodeUtf8Chunks, complete rows are parsed and the
 * unfinished tail is carried into the next chunk. That works the same for a Blob in a worker and a
 * string in Node, keeps quoting rules papaparse's, and lets this code see every byte for UTF-8
 * checks and every row's character span (`meta.cursor`) to count the lines it covers: a quoted
 * field with newlines makes one row span several lines, and the line numbers stay right.
 *
 * The first non-blank row is the header. Blank lines are skipped silently.
 * Throws EngineError: csv-empty, csv-invalid-utf8, csv-binary, csv-line-too-long, csv-too-many-rows,
 * csv-bad-row (onBadRow 'fail'), aborted.
 */
export async function parseCsv(source: CsvSource, options: ParseCsvOptions = {}): Promise<ParsedCsv> {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const log = new BadRowLog(options.onBadRow ?? 'skip', options.maxListedBadRows ?? DEFAULT_MAX_LISTED_BAD_ROWS);

  let header: string[] | null = null;
  const headerIssues: CsvIssue[] = [];
  let columns: string[][] = [];
  const lines: number[] = [];
  let rowsInFile = 0;
  let delimiter = options.delimiter ?? null;
  let newline: '\n' | '\r\n' | '\r' | null = null;
  let parser: Papa.Parser | null = null;

  let pending = '';
  let aggregate = '';
  let prevCursor = 0;
  let line = 1; // line on which the next row starts
  let bytes = 0;

  const tooLong = (at: number): never => {
    throw new EngineError(
      'csv-line-too-long',
      `Line ${at} is longer than ${maxLineChars.toLocaleString('en-US')} characters. ` +
        'Is a quote (") left open? A quoted value runs on until the next quote.',
    );
  };

  const setHeader = (row: string[], at: number): void => {
    const seen = new Set<string>();
    header = row.map((raw, i) => {
      let name = raw.trim();
      if (name === '') {
        name = `column_${i + 1}`;
        headerIssues.push({ kind: 'header', line: at, column: name, message: `Line ${at}: column ${i + 1} has no name; it is called "${name}".` });
      }
      if (seen.has(name)) {
        let k = 2;
        while (seen.has(`${name}_${k}`)) k++;
        const renamed = `${name}_${k}`;
        headerIssues.push({ kind: 'header', line: at, column: renamed, message: `Line ${at}: column name "${name}" appears twice; the second is called "${renamed}".` });
        name = renamed;
      }
      seen.add(name);
      return name;
    });
    columns = header.map(() => []);
  };

  const onRow = (results: Papa.ParseStepResult<string[]>): void => {
    const cursor = results.meta.cursor;
    const at = line;
    const breaks = countLineBreaks(aggregate, prevCursor, cursor);
    line += breaks;
    // The row's last line: its line breaks, less the one that ends it.
    const end = at + breaks - (cursor > prevCursor && /[\r\n]/.test(aggregate[cursor - 1] ?? '') ? 1 : 0);
    if (cursor - prevCursor > maxLineChars) tooLong(at);
    prevCursor = cursor;
    // In step mode papaparse hands over one row at a time as data[0].
    const row = (results.data as unknown as string[][])[0] ?? [];
    if (newline === '\n' && row.length > 0) {
      // A "\r\n" file read as "\n" (mixed line ends): drop the stray "\r".
      const last = row[row.length - 1]!;
      if (last.endsWith('\r')) row[row.length - 1] = last.slice(0, -1);
    }
    if (row.length === 1 && row[0]!.trim() === '' && results.errors.length === 0) return; // blank line
    if (header === null) {
      setHeader(row, at);
      return;
    }
    rowsInFile++;
    const quoteError = results.errors.find((e) => e.type === 'Quotes');
    if (quoteError) {
      log.add(quoteIssue(quoteError.code === 'MissingQuotes', at, end, delimiter ?? ','));
      return;
    }
    const width = (header as string[]).length;
    if (row.length !== width) {
      const extraEmpty = row.length > width && row.slice(width).every((v) => v.trim() === '');
      if (!extraEmpty) {
        log.add({
          kind: 'field-count',
          line: at,
          ...(end > at ? { endLine: end } : {}),
          message:
            (end > at ? `Lines ${at}–${end} (one row: a quoted value runs across them)` : `Line ${at}`) +
            `: expected ${plural(width, 'field')} like the header, found ${row.length}.` +
            (row.length > width ? ' A value containing the delimiter must be in double quotes.' : ''),
        });
        return;
      }
    }
    if (lines.length >= maxRows) {
      throw new EngineError(
        'csv-too-many-rows',
        `The file has more than ${maxRows.toLocaleString('en-US')} data rows (the limit). Use a smaller sample of it.`,
      );
    }
    for (let c = 0; c < width; c++) columns[c]!.push(row[c]!);
    lines.push(at);
  };

  const feed = (text: string, final: boolean): void => {
    aggregate = pending + text;
    if (parser === null) {
      newline = guessNewline(aggregate, final);
      if (newline === null) {
        if (aggregate.length > maxLineChars) tooLong(line);
        pending = aggregate;
        return;
      }
      delimiter ??= guessDelimiter(aggregate);
      parser = new Papa.Parser({ delimiter, newline, quoteChar: '"', step: onRow });
    }
    prevCursor = 0;
    const result = parser.parse(aggregate, 0, !final) as Papa.ParseResult<string[]>;
    pending = final ? '' : aggregate.slice(result.meta.cursor);
    if (pending.length > maxLineChars) tooLong(line);
  };

  let textLines = 0; // line breaks in the text decoded so far, to place a NUL byte
  let endsInBreak = true; // the text so far is empty or ends with a line break
  for await (const chunk of decodeUtf8Chunks(source, options.chunkBytes ?? DEFAULT_CHUNK_BYTES)) {
    if (options.signal?.aborted) throw new EngineError('aborted', 'The CSV import was cancelled.');
    const nul = chunk.text.indexOf('\u0000');
    if (nul >= 0) {
      throw new EngineError(
        'csv-binary',
        `Line ${1 + textLines + countLineBreaks(chunk.text, 0, nul)}: the file contains a NUL byte, so it is a binary file (a spreadsheet, an archive), not CSV text. Export it as CSV UTF-8 and import that.`,
      );
    }
    textLines += countLineBreaks(chunk.text);
    if (chunk.text.length > 0) endsInBreak = /[\r\n]$/.test(chunk.text);
    feed(chunk.text, false);
    bytes = chunk.bytes;
    options.onProgress?.({ rows: lines.length, bytes, totalBytes: chunk.totalBytes });
  }
  feed('', true);

  if (header === null) {
    throw new EngineError('csv-empty', 'The CSV file is empty: it needs a header line naming the columns, then one line per row.');
  }
  return {
    header,
    columns,
    lines: Int32Array.from(lines),
    rowCount: lines.length,
    rowsInFile,
    linesInFile: textLines + (endsInBreak ? 0 : 1),
    headerIssues,
    badRows: log.listed,
    badRowCount: log.count,
    delimiter: delimiter ?? ',',
    bytes,
  };
}
