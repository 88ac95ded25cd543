import type { ClassSummary, SplitOptions } from '../../api.ts';
import { DEFAULT_SPLIT } from '../../api.ts';
import { EngineError } from '../../errors.ts';
import { stratifiedSplit } from '../split.ts';
import type { CsvSource } from './decodeUtf8Chunks.ts';
import { DEFAULT_MAX_CATEGORIES, encodeTabularRows, fitTabularEncoder } from './fitTabularEncoder.ts';
import { inferSchema, type SchemaOptions } from './inferSchema.ts';
import { BadRowLog, DEFAULT_MAX_LISTED_BAD_ROWS, parseCsv, type ParseCsvOptions, type ParsedCsv } from './parseCsv.ts';
import { randomSplit } from './randomSplit.ts';
import type { BadRowPolicy, CsvIssue, TabularColumnSummary, TabularDataset, TabularEncoder } from './tabularTypes.ts';

export interface BuildTabularOptions extends SchemaOptions {
  /** Dataset name for the summary (default "dataset"). */
  name?: string;
  split?: SplitOptions;
  /** Empty labels and text in numeric columns: skip and list those rows (default), or fail. */
  onBadRow?: BadRowPolicy;
  /** Categories kept per categorical column (default 50); the rest share an "other" feature. */
  maxCategories?: number;
  maxListedBadRows?: number;
}

const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Turns parsed rows into a training set: checks labels and numeric cells (bad rows are skipped and
 * listed, or fail), splits (stratified by class for classification, seeded random for regression),
 * fits the encoder on the training rows only and encodes every usable row.
 * Throws EngineError: csv-no-rows, csv-unknown-column, csv-label-not-numeric, csv-bad-row.
 */
export function buildTabularDataset(parsed: ParsedCsv, options: BuildTabularOptions = {}): TabularDataset {
  const split = options.split ?? DEFAULT_SPLIT;
  if (parsed.rowCount === 0 && parsed.badRowCount === 0) {
    throw new EngineError('csv-no-rows', `The CSV has a header (${parsed.header.join(', ')}) but no data rows.`);
  }
  const schema = inferSchema(parsed, options);
  const { label, features, task } = schema;
  const log = new BadRowLog(options.onBadRow ?? 'skip', options.maxListedBadRows ?? DEFAULT_MAX_LISTED_BAD_ROWS);
  for (const issue of parsed.badRows) log.listed.push(issue);
  log.count = parsed.badRowCount;

  // Rows with an empty label or text in a numeric column.
  const checkNumeric = schema.columns.filter((c) => c.type === 'numeric' && c.nonNumeric > 0 && !schema.ignored.includes(c));
  const keepList: number[] = [];
  for (let r = 0; r < parsed.rowCount; r++) {
    const at = parsed.lines[r]!;
    if (label.values[r] === '') {
      log.add({ kind: 'empty-label', line: at, column: label.name, message: `Line ${at}: the label "${label.name}" is empty.` });
      continue;
    }
    let bad = false;
    for (const col of checkNumeric) {
      if (col.values[r] !== '' && col.numbers![r] !== col.numbers![r]) {
        log.add({
          kind: 'not-numeric',
          line: at,
          column: col.name,
          message: `Line ${at}: "${col.values[r]!.slice(0, 40)}" in column "${col.name}" is not a number (the column is numeric).`,
        });
        bad = true;
        break;
      }
    }
    if (!bad) keepList.push(r);
  }
  const keep = Int32Array.from(keepList);
  const N = keep.length;
  if (N === 0) {
    const first = log.listed[0];
    throw new EngineError(
      'csv-no-rows',
      `No usable rows: all ${parsed.rowsInFile} data rows are bad${first ? ` (first: ${first.message})` : ''}.`,
    );
  }

  const issues: CsvIssue[] = [...parsed.headerIssues];
  for (const col of schema.columns) {
    if (col !== label && col.missing === parsed.rowCount) {
      issues.push({ kind: 'empty-column', line: null, column: col.name, message: `Column "${col.name}" has no values; it was left out.` });
    }
  }

  // Labels, split, encoder.
  let labels: Int32Array | null = null;
  let targets: Float32Array | null = null;
  let classNames: string[] = [];
  let target: TabularDataset['summary']['target'] = null;
  let labelSpec: TabularEncoder['label'];
  let splitIdx: { train: number[]; validation: number[] };
  if (task === 'classification') {
    const names = new Array<string>(N);
    for (let i = 0; i < N; i++) {
      const r = keep[i]!;
      names[i] = label.numbers ? String(label.numbers[r]) : label.values[r]!;
    }
    const unique = [...new Set(names)];
    classNames = label.numbers ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort(compareNames);
    const id = new Map(classNames.map((c, k) => [c, k]));
    labels = Int32Array.from(names, (n) => id.get(n)!);
    splitIdx = stratifiedSplit(Array.from(labels), split.validationFraction, split.seed);
    labelSpec = { task, column: label.name, classes: classNames };
  } else {
    const y = new Float64Array(N);
    for (let i = 0; i < N; i++) y[i] = label.numbers![keep[i]!]!;
    splitIdx = randomSplit(N, split.validationFraction, split.seed);
    let sum = 0;
    for (const i of splitIdx.train) sum += y[i]!;
    const mean = sum / splitIdx.train.length;
    let sq = 0;
    for (const i of splitIdx.train) sq += (y[i]! - mean) ** 2;
    const std = Math.sqrt(sq / splitIdx.train.length) || 1;
    targets = Float32Array.from(y, (v) => (v - mean) / std);
    labelSpec = { task, column: label.name, mean, std };
    let min = Infinity;
    let max = -Infinity;
    let all = 0;
    for (const v of y) {
      if (v < min) min = v;
      if (v > max) max = v;
      all += v;
    }
    const allMean = all / N;
    let allSq = 0;
    for (const v of y) allSq += (v - allMean) ** 2;
    target = { min, max, mean: allMean, std: Math.sqrt(allSq / N) };
  }

  const trainRows = Int32Array.from(splitIdx.train, (i) => keep[i]!);
  const encoder = fitTabularEncoder(features, trainRows, labelSpec, {
    maxCategories: options.maxCategories ?? DEFAULT_MAX_CATEGORIES,
    missingValues: options.missingValues,
  });
  const F = encoder.featureNames.length;
  const encoded = encodeTabularRows(encoder, features, keep);

  const columns: TabularColumnSummary[] = schema.columns.map((col) => {
    const enc = encoder.columns.find((e) => e.name === col.name);
    if (enc && enc.kind === 'categorical' && enc.other) {
      issues.push({
        kind: 'many-categories',
        line: null,
        column: col.name,
        message: `Column "${col.name}" has ${col.distinct} distinct values; the ${enc.categories.length} most common in training are kept, the rest count as "${'(other)'}". Ignore the column if it is an id.`,
      });
    }
    return {
      name: col.name,
      type: col.type,
      role: col === label ? 'label' : enc ? 'feature' : 'ignored',
      distinct: col.distinct,
      missing: col.missing,
      min: col.min,
      max: col.max,
      mean: col.mean,
      features: enc ? (enc.kind === 'numeric' ? 1 : enc.categories.length + (enc.other ? 1 : 0)) : 0,
    };
  });

  let classes: ClassSummary[] = [];
  if (labels) {
    classes = classNames.map((name) => ({ name, count: 0, train: 0, validation: 0 }));
    for (const i of splitIdx.train) classes[labels[i]!]!.train++;
    for (const i of splitIdx.validation) classes[labels[i]!]!.validation++;
    for (const c of classes) {
      c.count = c.train + c.validation;
      if (c.count < 2) {
        issues.push({
          kind: 'small-class',
          line: null,
          column: label.name,
          message: `Class "${c.name}" has only ${c.count} row; it is trained on but cannot be validated.`,
        });
      }
    }
  }

  // The first validation row's raw cells: what the studio's "try it" form starts from.
  const exampleIndex = splitIdx.validation[0] ?? splitIdx.train[0];
  const example =
    exampleIndex === undefined
      ? null
      : Object.fromEntries(schema.columns.filter((c) => c !== label).map((c) => [c.name, c.values[keep[exampleIndex]!] ?? '']));

  return {
    summary: {
      name: options.name ?? 'dataset',
      example,
      task,
      labelColumn: label.name,
      total: N,
      rowsInFile: parsed.rowsInFile,
      linesInFile: parsed.linesInFile,
      skippedRows: log.count,
      columns,
      featureCount: F,
      classes,
      target,
      train: splitIdx.train.length,
      validation: splitIdx.validation.length,
      issues: [...issues, ...log.issues()],
      validationFraction: split.validationFraction,
      seed: split.seed,
    },
    encoder,
    features: encoded,
    featureCount: F,
    featureNames: encoder.featureNames,
    labels,
    targets,
    split: splitIdx,
    rowLines: Int32Array.from(keep, (r) => parsed.lines[r]!),
  };
}

export type LoadTabularCsvOptions = ParseCsvOptions & BuildTabularOptions;

/** parseCsv + buildTabularDataset in one call, with one onBadRow policy for both. */
export async function loadTabularCsv(source: CsvSource, options: LoadTabularCsvOptions = {}): Promise<TabularDataset> {
  const parsed = await parseCsv(source, options);
  return buildTabularDataset(parsed, options);
}
