import type { DatasetFile, DatasetIssue } from '../../api.ts';
import { EngineError } from '../../errors.ts';
import type { ClassifiedImage } from '../imageFolder.ts';
import type { CsvSource } from './decodeUtf8Chunks.ts';
import { parseCsv } from './parseCsv.ts';

const PATH_COLUMNS = ['file', 'path', 'image', 'filename', 'filepath', 'image_path', 'file_path'];
const LABEL_COLUMNS = ['label', 'class', 'category', 'target'];
const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'avif']);
const MAX_LISTED_UNLISTED = 100;

/** DatasetIssue plus CSV-specific kinds and the file line; proposed as an extension of DatasetIssue. */
export interface ImageCsvIssue {
  path: string;
  kind: DatasetIssue['kind'] | 'csv-bad-row' | 'csv-missing-file' | 'csv-unlisted-image' | 'csv-duplicate-row';
  /** 1-based line in the CSV, null for issues about dropped files. */
  line: number | null;
  message: string;
}

export interface ImageLabelCsvLayout {
  /** Class names sorted, as classifyImageFolder gives them: the index is the label id. */
  classes: string[];
  /** Sorted by class, then path, as classifyImageFolder gives them. */
  images: ClassifiedImage[];
  issues: ImageCsvIssue[];
}

export interface ReadImageLabelCsvOptions {
  /** Path of the CSV among the dropped files (e.g. "pets/labels.csv"): its folder is where row paths start. */
  csvPath?: string;
}

function normalize(path: string): string {
  return path
    .trim()
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * Reads an image dataset described by a CSV of `file,label` (or `path,label`, `image,label`; also
 * `class`/`category`/`target` for the label) dropped together with the images. Row paths are
 * relative to the CSV's folder (`csvPath`); without it, to the dropped root folder or the top level.
 * Rows whose file was not dropped, rows with an empty label or path, duplicate rows and images the
 * CSV does not list are reported with their CSV line; they never abort the import.
 * Throws EngineError: csv-empty, csv-invalid-utf8, csv-image-columns.
 */
export async function readImageLabelCsv(
  source: CsvSource,
  files: DatasetFile[],
  options: ReadImageLabelCsvOptions = {},
): Promise<ImageLabelCsvLayout> {
  const parsed = await parseCsv(source, { onBadRow: 'skip', maxListedBadRows: 1000 });
  const lower = parsed.header.map((h) => h.toLowerCase());
  const pathCol = lower.findIndex((h) => PATH_COLUMNS.includes(h));
  const labelCol = lower.findIndex((h) => LABEL_COLUMNS.includes(h));
  if (pathCol < 0 || labelCol < 0) {
    throw new EngineError(
      'csv-image-columns',
      `An image-label CSV needs a "file" (or "path", "image") column and a "label" (or "class") column; this one has: ${parsed.header.join(', ')}.`,
    );
  }
  const issues: ImageCsvIssue[] = parsed.badRows.map((b) => ({ path: '', kind: 'csv-bad-row', line: b.line, message: b.message }));

  const byPath = new Map<string, DatasetFile>();
  for (const f of files) byPath.set(normalize(f.path), f);
  const csvNorm = options.csvPath !== undefined ? normalize(options.csvPath) : null;
  let bases: string[];
  if (csvNorm !== null) bases = [csvNorm.includes('/') ? csvNorm.slice(0, csvNorm.lastIndexOf('/')) : ''];
  else {
    const tops = new Set([...byPath.keys()].map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
    const only = tops.size === 1 ? [...tops][0]! : '';
    bases = only ? [only, ''] : [''];
  }

  const used = new Map<string, number>(); // file path -> line that claimed it
  const byClass = new Map<string, ClassifiedImage[]>();
  for (let r = 0; r < parsed.rowCount; r++) {
    const at = parsed.lines[r]!;
    const rel = normalize(parsed.columns[pathCol]![r]!);
    const label = parsed.columns[labelCol]![r]!.trim();
    if (rel === '') {
      issues.push({ path: '', kind: 'csv-bad-row', line: at, message: `Line ${at}: the file path is empty.` });
      continue;
    }
    if (label === '') {
      issues.push({ path: rel, kind: 'csv-bad-row', line: at, message: `Line ${at}: ${rel} has an empty label.` });
      continue;
    }
    let file: DatasetFile | undefined;
    let full = '';
    for (const base of bases) {
      full = base ? `${base}/${rel}` : rel;
      file = byPath.get(full);
      if (file) break;
    }
    if (!file) {
      issues.push({
        path: rel,
        kind: 'csv-missing-file',
        line: at,
        message: `Line ${at}: ${rel} is listed but was not among the dropped files. Drop the folder that holds both the CSV and the images.`,
      });
      continue;
    }
    const claimed = used.get(full);
    if (claimed !== undefined) {
      issues.push({ path: file.path, kind: 'csv-duplicate-row', line: at, message: `Line ${at}: ${rel} is already listed on line ${claimed}; this row is ignored.` });
      continue;
    }
    used.set(full, at);
    const ext = extensionOf(full);
    if (!IMAGE_EXTENSIONS.has(ext)) {
      issues.push({
        path: file.path,
        kind: 'not-an-image',
        line: at,
        message: `Line ${at}: ${file.path} skipped, ".${ext || '(no extension)'}" is not an image type (use PNG, JPEG, GIF, WebP, BMP or AVIF).`,
      });
      continue;
    }
    const list = byClass.get(label) ?? [];
    list.push({ path: file.path, label, file: file.file });
    byClass.set(label, list);
  }

  let unlisted = 0;
  for (const [p, f] of byPath) {
    if (used.has(p) || !IMAGE_EXTENSIONS.has(extensionOf(p))) continue;
    unlisted++;
    if (unlisted <= MAX_LISTED_UNLISTED) {
      issues.push({ path: f.path, kind: 'csv-unlisted-image', line: null, message: `${f.path} is not listed in the CSV; it was left out.` });
    }
  }
  if (unlisted > MAX_LISTED_UNLISTED) {
    const rest = unlisted - MAX_LISTED_UNLISTED;
    issues.push({ path: '', kind: 'csv-unlisted-image', line: null, message: `${rest} more images are not listed in the CSV; they were left out.` });
  }

  const classes = [...byClass.keys()].sort();
  const images: ClassifiedImage[] = [];
  for (const label of classes) {
    images.push(...byClass.get(label)!.sort((a, b) => (a.path < b.path ? -1 : 1)));
  }
  return { classes, images, issues };
}
