/**
 * Types for CSV (tabular) datasets. Plain data only, so every value can cross the worker boundary.
 * src/api.ts re-exports the ones app/ sees.
 */
import type { ClassSummary } from '../../api.ts';

export type TabularTask = 'classification' | 'regression';
export type ColumnType = 'numeric' | 'categorical';
export type BadRowPolicy = 'skip' | 'fail';

/** Progress while a CSV streams in: rows parsed so far, bytes read so far, file size (null when unknown). */
export interface CsvProgress {
  rows: number;
  bytes: number;
  totalBytes: number | null;
}

export type CsvIssueKind =
  | 'field-count' // a row with more or fewer fields than the header
  | 'bad-quotes' // a quoted field that is malformed or never closed
  | 'empty-label' // the label cell is empty
  | 'not-numeric' // a numeric column holds text
  | 'header' // an empty or duplicate column name (renamed)
  | 'empty-column' // a column with no values at all (left out)
  | 'many-categories' // a categorical column with more categories than the cap (rest -> "other")
  | 'small-class' // a class with a single row: it can be trained on but never validated
  | 'more-bad-rows'; // the list of bad rows was capped; this entry counts the rest

/** Something in the file a person should know about. `line` is 1-based and counts the header line. */
export interface CsvIssue {
  kind: CsvIssueKind;
  line: number | null;
  /** A bad row that runs across several lines (a quote opened on `line` and closed late, or never): its last line. */
  endLine?: number;
  column?: string;
  message: string;
}

export interface TabularColumnSummary {
  name: string;
  type: ColumnType;
  role: 'feature' | 'label' | 'ignored';
  /** Distinct non-missing values over well-formed rows (numeric columns: by value, so "1" and "1.0" are one). */
  distinct: number;
  /** Missing cells (empty, NA, N/A, NaN, nan, null, NULL) over well-formed rows. */
  missing: number;
  /** Numeric columns: range and mean of the parsed values; null for categorical columns. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Features this column becomes (1 for numeric, one per kept category (+1 for "other") for categorical). */
  features: number;
}

/** Shaped like DatasetSummary (image) where it makes sense. */
export interface TabularDatasetSummary {
  /** File name without extension, or what the caller passed. */
  name: string;
  task: TabularTask;
  labelColumn: string;
  /** Usable rows (after bad rows were skipped). */
  total: number;
  /** Data rows in the file (header and blank lines excluded), bad ones included. */
  rowsInFile: number;
  /** Lines in the file, header and blank lines included: beside rowsInFile it shows lines a quote swallowed. */
  linesInFile: number;
  /** Rows skipped as bad (all of them, not only the listed ones). */
  skippedRows: number;
  columns: TabularColumnSummary[];
  featureCount: number;
  /** Classification: classes in label order with counts; regression: []. */
  classes: ClassSummary[];
  /** Regression: statistics of the raw target over usable rows (the model sees it standardised on train). */
  target: { min: number; max: number; mean: number; std: number } | null;
  train: number;
  validation: number;
  issues: CsvIssue[];
  validationFraction: number;
  seed: number;
  /** Raw cells (label left out) of one validation row, by column name: a starting point for "try it". */
  example: Record<string, string> | null;
}

/** A categorical or numeric column as the fitted encoder sees it. All statistics come from the training split. */
export type EncodedColumn =
  | { kind: 'numeric'; name: string; offset: number; mean: number; std: number }
  | {
      kind: 'categorical';
      name: string;
      offset: number;
      /** Kept categories in feature order. */
      categories: string[];
      /** Whether a trailing "other" feature exists (train had more categories than the cap). */
      other: boolean;
    };

/** Everything needed to turn a raw row into features and a prediction back into a label. Plain data. */
export interface TabularEncoder {
  columns: EncodedColumn[];
  featureNames: string[];
  missingValues: string[];
  label:
    | { task: 'classification'; column: string; classes: string[] }
    | { task: 'regression'; column: string; mean: number; std: number };
}

export interface TabularDataset {
  summary: TabularDatasetSummary;
  encoder: TabularEncoder;
  /** [rows, featureCount] row-major. */
  features: Float32Array;
  featureCount: number;
  featureNames: string[];
  /** Classification: class ids into `encoder.label.classes`; regression: null. */
  labels: Int32Array | null;
  /** Regression: standardised targets ((y - mean) / std, train statistics); classification: null. */
  targets: Float32Array | null;
  /** Indices into the rows above (sorted). */
  split: { train: number[]; validation: number[] };
  /** 1-based file line of each usable row, to point back into the file. */
  rowLines: Int32Array;
}
