import { EngineError } from '../../errors.ts';
import type { ParsedCsv } from './parseCsv.ts';
import type { ColumnType, TabularTask } from './tabularTypes.ts';

/** Cells that mean "no value" (compared after trimming). */
export const DEFAULT_MISSING_VALUES = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL'];
/** A numeric label is treated as classes when it has at most this many distinct integer values. */
export const MAX_INTEGER_CLASSES = 20;
/** A column is numeric when at least this share of its non-missing values are numbers (the rest are bad rows). */
export const DEFAULT_NUMERIC_THRESHOLD = 0.99;

/** A plain decimal number (no hex/binary/octal, no Infinity, no thousands separators), or NaN. Expects trimmed text. */
export function parseNumber(text: string): number {
  if (text === '') return NaN;
  const n = +text; // faster than a regex; the checks below reject what + accepts but a CSV number is not
  if (!Number.isFinite(n)) return NaN;
  const c = text.charCodeAt(0);
  if (c === 48 && text.length > 1) {
    const d = text.charCodeAt(1) | 0x20; // lower-case
    if (d === 0x78 || d === 0x62 || d === 0x6f) return NaN; // 0x.., 0b.., 0o..
  }
  if (c <= 32 || text.charCodeAt(text.length - 1) <= 32) return NaN;
  return n;
}

export interface ColumnProfile {
  name: string;
  index: number;
  type: ColumnType;
  /** Trimmed cells, '' where missing. */
  values: string[];
  /** Numeric columns: parsed values, NaN where missing or not a number; null for categorical columns. */
  numbers: Float64Array | null;
  missing: number;
  distinct: number;
  /** Numeric columns: how many non-missing cells are not numbers (each one is a bad row). */
  nonNumeric: number;
  /** Numeric columns: whether every value is an integer. */
  integer: boolean;
  min: number | null;
  max: number | null;
  mean: number | null;
}

export interface SchemaOptions {
  /** Column name or 0-based index; default: the last column. */
  labelColumn?: string | number;
  /** Overrides the inferred task. */
  task?: TabularTask;
  /** Overrides inferred column types by name. A non-number in a column forced numeric is a bad row. */
  columnTypes?: Record<string, ColumnType>;
  /** Columns left out of the features (ids, free text). */
  ignoreColumns?: string[];
  numericThreshold?: number;
  missingValues?: string[];
}

export interface TabularSchema {
  columns: ColumnProfile[];
  label: ColumnProfile;
  /** Columns that become features (not the label, not ignored, not empty). */
  features: ColumnProfile[];
  ignored: ColumnProfile[];
  task: TabularTask;
  /** Why the task was chosen, for the UI. */
  taskReason: string;
}

function resolveLabel(header: string[], label: string | number | undefined): number {
  if (label === undefined) return header.length - 1;
  const idx = typeof label === 'number' ? label : header.indexOf(label);
  if (idx < 0 || idx >= header.length || !Number.isInteger(idx)) {
    throw new EngineError(
      'csv-unknown-column',
      `There is no column ${typeof label === 'number' ? `number ${label}` : `"${label}"`} to use as the label. The columns are: ${header.join(', ')}.`,
    );
  }
  return idx;
}

function profileColumn(
  name: string,
  index: number,
  raw: string[],
  missingSet: Set<string>,
  forced: ColumnType | undefined,
  threshold: number,
): ColumnProfile {
  const n = raw.length;
  const values = new Array<string>(n);
  const numbers = new Float64Array(n);
  let missing = 0;
  let numeric = 0;
  let integer = true;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let r = 0; r < n; r++) {
    const v = raw[r]!.trim();
    if (missingSet.has(v)) {
      values[r] = '';
      numbers[r] = NaN;
      missing++;
      continue;
    }
    values[r] = v;
    const x = parseNumber(v);
    numbers[r] = x;
    if (x === x) {
      numeric++;
      if (!Number.isInteger(x)) integer = false;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
  }
  const present = n - missing;
  const type: ColumnType =
    forced ?? (present > 0 && numeric > 0 && numeric >= threshold * present ? 'numeric' : 'categorical');
  const isNumeric = type === 'numeric';
  // Distinct values: numbers by value (sorting a typed array is far cheaper than a Set of 100k strings).
  let distinct: number;
  if (isNumeric) {
    const finite = new Float64Array(numeric);
    const texts = new Set<string>();
    let k = 0;
    for (let r = 0; r < n; r++) {
      const x = numbers[r]!;
      if (x === x) finite[k++] = x;
      else if (values[r] !== '') texts.add(values[r]!);
    }
    finite.sort();
    distinct = texts.size;
    for (let i = 0; i < finite.length; i++) if (i === 0 || finite[i] !== finite[i - 1]) distinct++;
  } else {
    const set = new Set<string>();
    for (let r = 0; r < n; r++) if (values[r] !== '') set.add(values[r]!);
    distinct = set.size;
  }
  return {
    name,
    index,
    type,
    values,
    numbers: isNumeric ? numbers : null,
    missing,
    distinct,
    nonNumeric: isNumeric ? present - numeric : 0,
    integer: isNumeric && integer,
    min: isNumeric && numeric > 0 ? min : null,
    max: isNumeric && numeric > 0 ? max : null,
    mean: isNumeric && numeric > 0 ? sum / numeric : null,
  };
}

/**
 * Column types and the task, from the parsed rows.
 * - numeric: every non-missing value is a plain decimal number (or at least `numericThreshold` of
 *   them are: the others are reported as bad rows, since one typo should not turn a measurement into
 *   categories); otherwise categorical. `columnTypes` overrides.
 * - task: a categorical label means classification; a numeric label means regression, unless every
 *   value is an integer, there are at most MAX_INTEGER_CLASSES distinct values and on average at
 *   least 2 rows per value (e.g. 0/1, ratings 1-5): then classification. `task` overrides; regression
 *   on a categorical label is refused (`csv-label-not-numeric`).
 */
export function inferSchema(parsed: ParsedCsv, options: SchemaOptions = {}): TabularSchema {
  const missingSet = new Set(options.missingValues ?? DEFAULT_MISSING_VALUES);
  const threshold = options.numericThreshold ?? DEFAULT_NUMERIC_THRESHOLD;
  const labelIndex = resolveLabel(parsed.header, options.labelColumn);
  const ignore = new Set(options.ignoreColumns ?? []);
  for (const name of ignore) {
    if (!parsed.header.includes(name)) resolveLabel(parsed.header, name); // throws the same clear message
  }
  const columns = parsed.header.map((name, c) =>
    profileColumn(name, c, parsed.columns[c]!, missingSet, options.columnTypes?.[name], threshold),
  );
  const label = columns[labelIndex]!;
  const features: ColumnProfile[] = [];
  const ignored: ColumnProfile[] = [];
  for (const col of columns) {
    if (col === label) continue;
    if (ignore.has(col.name) || col.missing === parsed.rowCount) ignored.push(col);
    else features.push(col);
  }

  let task: TabularTask;
  let taskReason: string;
  if (label.type === 'categorical') {
    task = 'classification';
    taskReason = `"${label.name}" holds text, so each distinct value is a class.`;
  } else {
    const present = parsed.rowCount - label.missing;
    const numbers = label.numbers!;
    const distinctValues = new Set<number>();
    for (let r = 0; r < numbers.length && distinctValues.size <= MAX_INTEGER_CLASSES; r++) {
      const x = numbers[r]!;
      if (x === x) distinctValues.add(x);
    }
    const k = distinctValues.size;
    if (label.integer && k <= MAX_INTEGER_CLASSES && k * 2 <= present) {
      task = 'classification';
      taskReason = `"${label.name}" has only ${k} distinct whole-number values, so each is a class.`;
    } else {
      task = 'regression';
      taskReason = label.integer
        ? `"${label.name}" has many distinct values (more than ${MAX_INTEGER_CLASSES}, or about one row each), so it is predicted as a number.`
        : `"${label.name}" holds fractional numbers, so it is predicted as a number.`;
    }
  }
  if (options.task && options.task !== task) {
    if (options.task === 'regression' && label.type !== 'numeric') {
      throw new EngineError(
        'csv-label-not-numeric',
        `Regression needs a numeric label, but "${label.name}" holds text. Choose classification or another label column.`,
      );
    }
    task = options.task;
    taskReason = `Chosen by you.`;
  }
  return { columns, label, features, ignored, task, taskReason };
}
