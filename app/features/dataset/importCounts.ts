import type { LmDatasetSummary, TabularDatasetSummary } from '../../../src/index.ts';
import { formatInteger } from '../../format.ts';

const plural = (n: number, word: string): string => `${formatInteger(n)} ${word}${n === 1 ? '' : 's'}`;

/** What the CSV had and what was used: "From a file of 125 lines: 14 rows read, 10 used, 4 skipped." */
export function tableFileCounts(table: Pick<TabularDatasetSummary, 'linesInFile' | 'rowsInFile' | 'total' | 'skippedRows'>): string {
  return `From a file of ${plural(table.linesInFile, 'line')}: ${plural(table.rowsInFile, 'row')} read, ${formatInteger(table.total)} used, ${formatInteger(table.skippedRows)} skipped.`;
}

/**
 * The bad rows that swallowed several lines (an unclosed or misplaced quote), the most lines first:
 * these lose far more than one row each, so they are told above the list of notes.
 */
export function swallowedSpans(table: Pick<TabularDatasetSummary, 'issues'>): { line: number; endLine: number; lines: number; message: string }[] {
  return table.issues
    .flatMap((i) => (i.line !== null && i.endLine !== undefined && i.endLine > i.line ? [{ line: i.line, endLine: i.endLine, lines: i.endLine - i.line + 1, message: i.message }] : []))
    .sort((a, b) => b.lines - a.lines);
}

/** What a text file had and what was used: "From a file of 62 lines: 60 records read, 58 used, 2 skipped." */
export function lmFileCounts(summary: Pick<LmDatasetSummary, 'format' | 'linesInFile' | 'records' | 'recordsUsed'>): string {
  if (summary.format === 'plain-text') return `The whole file (${plural(summary.linesInFile, 'line')}) is one document, all of it used.`;
  const skipped = summary.records - summary.recordsUsed;
  const blank = summary.linesInFile - summary.records;
  return `From a file of ${plural(summary.linesInFile, 'line')}${blank > 0 ? ` (${formatInteger(blank)} blank)` : ''}: ${plural(summary.records, 'record')} read, ${formatInteger(summary.recordsUsed)} used, ${formatInteger(skipped)} skipped.`;
}
