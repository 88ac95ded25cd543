import { describe, expect, it } from 'vitest';
import { lmFileCounts, swallowedSpans, tableFileCounts } from './importCounts.ts';

describe('import counts', () => {
  it('say what a CSV had and what was used, and put swallowed spans first', () => {
    expect(tableFileCounts({ linesInFile: 125, rowsInFile: 14, total: 13, skippedRows: 1 })).toBe('From a file of 125 lines: 14 rows read, 13 used, 1 skipped.');
    const issues = [
      { kind: 'field-count' as const, line: 4, message: 'Line 4: short' },
      { kind: 'bad-quotes' as const, line: 15, endLine: 18, message: 'Lines 15–18: a' },
      { kind: 'bad-quotes' as const, line: 30, endLine: 125, message: 'Lines 30–125: b' },
      { kind: 'more-bad-rows' as const, line: null, message: '3 more' },
    ];
    expect(swallowedSpans({ issues }).map((s) => [s.line, s.endLine, s.lines])).toEqual([
      [30, 125, 96],
      [15, 18, 4],
    ]);
  });

  it('say what a text file had and what was used', () => {
    expect(lmFileCounts({ format: 'chat', linesInFile: 62, records: 60, recordsUsed: 58 })).toBe('From a file of 62 lines (2 blank): 60 records read, 58 used, 2 skipped.');
    expect(lmFileCounts({ format: 'plain-text', linesInFile: 1, records: 1, recordsUsed: 1 })).toBe('The whole file (1 line) is one document, all of it used.');
  });
});
