import type { ClassSummary, DatasetFile, DatasetIssue, DatasetSummary, SplitOptions } from '../api.ts';
import { EngineError } from '../errors.ts';
import { toChannels, type ImageDecoder } from './decodeImage.ts';
import { readImageLabelCsv } from './csv/readImageLabelCsv.ts';
import { classifyImageFolder, dropSmallClasses, type ImageFolderLayout } from './imageFolder.ts';
import { stratifiedSplit, type Split } from './split.ts';

/** Decoded images, ready for the model: bytes [N, H, W, C] in one buffer (C as the model wants), labels [N]. */
export interface ImageDataset {
  name: string;
  classes: string[];
  paths: string[];
  labels: Int32Array;
  pixels: Uint8Array;
  /** [height, width, channels] of each image in `pixels`. */
  size: [number, number, number];
  split: Split;
  summary: DatasetSummary;
}

export interface ImportProgress {
  (done: number, total: number, path: string): void;
}

/**
 * Folder layout (one sub-folder per class), or, when the drop holds one CSV with file and label
 * columns, the labels that CSV gives the images beside it (other CSVs are not labels and are reported).
 */
async function layoutOf(files: DatasetFile[]): Promise<ImageFolderLayout> {
  const csvs = files.filter((f) => f.path.toLowerCase().endsWith('.csv'));
  if (csvs.length !== 1) return classifyImageFolder(files);
  const csv = csvs[0] as DatasetFile;
  const images = files.filter((f) => f !== csv);
  const labelled = await readImageLabelCsv(csv.file, images, { csvPath: csv.path }).catch((e: unknown) => {
    // A CSV without file/label columns is just another file: fall back to class folders.
    if (e instanceof EngineError && e.code === 'csv-image-columns') return null;
    throw e;
  });
  if (!labelled) return classifyImageFolder(files);
  return { classes: labelled.classes, images: labelled.images, issues: labelled.issues.map((i) => ({ ...i })) };
}

/** Each class needs one image to train on and one to validate with. */
export const MIN_IMAGES_PER_CLASS = 2;

/**
 * Turns a dropped folder into a dataset: classify by folder, decode every image at the model's size,
 * drop classes too small to split, then split each class with a seed. One bad file never aborts the
 * import: it becomes an issue that names it.
 */
export async function importImageDataset(
  name: string,
  files: DatasetFile[],
  split: SplitOptions,
  size: [number, number, number],
  decode: ImageDecoder,
  onProgress: ImportProgress = () => {},
): Promise<ImageDataset> {
  const layout = await layoutOf(files);
  const issues: DatasetIssue[] = [...layout.issues];
  const [h, w, c] = size;
  const decoded: { path: string; label: string; rgb: Uint8Array }[] = [];
  let done = 0;
  for (const img of layout.images) {
    try {
      const { rgb } = await decode(img.file, w, h);
      decoded.push({ path: img.path, label: img.label, rgb: toChannels(rgb, h * w, c) });
    } catch (e) {
      const why = e instanceof EngineError ? e.message : 'it could not be decoded.';
      issues.push({ path: img.path, kind: 'corrupt-image', message: `${img.path}: skipped, ${why} Re-export or remove the file.` });
    }
    done += 1;
    onProgress(done, layout.images.length, img.path);
  }

  const kept = dropSmallClasses(
    decoded.map((d) => ({ path: d.path, label: d.label, file: new Blob() })),
    MIN_IMAGES_PER_CLASS,
  );
  issues.push(...kept.issues);
  if (kept.classes.length < 2) {
    const found = kept.classes.length === 1 ? `only one class ("${kept.classes[0]}")` : 'no usable class';
    throw new EngineError(
      'dataset-too-small',
      `${name}: found ${found} with at least ${MIN_IMAGES_PER_CLASS} images. Drop a folder with one sub-folder per class, at least two classes.` +
        (issues.length > 0 ? ` ${issues.length} file(s) were skipped: ${issues.slice(0, 3).map((i) => i.path).join(', ')}${issues.length > 3 ? ', ...' : ''}.` : ''),
    );
  }
  const keptSet = new Set(kept.classes);
  const usable = decoded.filter((d) => keptSet.has(d.label));
  const classIndex = new Map(kept.classes.map((c, i) => [c, i]));
  const labels = Int32Array.from(usable.map((d) => classIndex.get(d.label) ?? 0));
  const pixels = new Uint8Array(usable.length * h * w * c); // [N, H, W, C]
  usable.forEach((d, i) => pixels.set(d.rgb, i * h * w * c));
  const theSplit = stratifiedSplit(Array.from(labels), split.validationFraction, split.seed);

  const summary: DatasetSummary = {
    name,
    classes: classCounts(kept.classes, labels, theSplit),
    total: usable.length,
    issues,
    validationFraction: split.validationFraction,
    seed: split.seed,
  };
  return { name, classes: kept.classes, paths: usable.map((d) => d.path), labels, pixels, size, split: theSplit, summary };
}

/** Re-splits an imported dataset without decoding again (the user changed the fraction or seed). */
export function resplit(dataset: ImageDataset, split: SplitOptions): ImageDataset {
  const theSplit = stratifiedSplit(Array.from(dataset.labels), split.validationFraction, split.seed);
  const classes = classCounts(dataset.classes, dataset.labels, theSplit);
  return {
    ...dataset,
    split: theSplit,
    summary: { ...dataset.summary, classes, validationFraction: split.validationFraction, seed: split.seed },
  };
}

function classCounts(classes: string[], labels: Int32Array, split: Split): ClassSummary[] {
  const counts = classes.map((name) => ({ name, count: 0, train: 0, validation: 0 }));
  for (const i of split.train) counts[labels[i] ?? 0]!.train += 1;
  for (const i of split.validation) counts[labels[i] ?? 0]!.validation += 1;
  for (const c of counts) c.count = c.train + c.validation;
  return counts;
}
