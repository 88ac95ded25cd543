import type { DatasetFile, DatasetIssue } from '../api.ts';

/** Extensions the browser can decode; anything else is reported, not guessed at. */
const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'avif']);
/** Files every OS sprinkles into folders; skipped silently because nobody meant them as data. */
const SYSTEM_FILES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini']);

export interface ClassifiedImage {
  path: string;
  label: string;
  file: Blob;
}

export interface ImageFolderLayout {
  /** Class names in a stable (sorted) order: the index is the label id. */
  classes: string[];
  images: ClassifiedImage[];
  issues: DatasetIssue[];
}

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * Reads the "one sub-folder per class" layout from relative paths.
 * `root/class/file.png` and `class/file.png` are both accepted: if every path shares one top folder
 * and some go deeper than one level, that folder is the dataset itself and the next level names the class. Deeper files belong to their
 * first-level class folder (`root/cat/indoor/1.png` is a cat).
 */
export function classifyImageFolder(files: DatasetFile[]): ImageFolderLayout {
  const issues: DatasetIssue[] = [];
  const split = files.map((f) => ({ f, parts: f.path.split('/').filter((p) => p.length > 0) }));
  const firstParts = new Set(split.map((s) => s.parts[0]));
  const stripRoot = firstParts.size === 1 && split.some((s) => s.parts.length >= 3);

  const byClass = new Map<string, ClassifiedImage[]>();
  for (const { f, parts } of split) {
    const rel = stripRoot ? parts.slice(1) : parts;
    const name = rel[rel.length - 1] ?? f.path;
    if (SYSTEM_FILES.has(name.toLowerCase()) || name.startsWith('._')) continue;
    if (rel.length < 2) {
      issues.push({
        path: f.path,
        kind: 'no-class-folder',
        message: `${f.path}: not inside a class folder. Put each image in a sub-folder named after its class.`,
      });
      continue;
    }
    const ext = extensionOf(name);
    if (!IMAGE_EXTENSIONS.has(ext)) {
      issues.push({
        path: f.path,
        kind: 'not-an-image',
        message: `${f.path}: skipped, ".${ext || '(no extension)'}" is not an image type (use PNG, JPEG, GIF, WebP, BMP or AVIF).`,
      });
      continue;
    }
    const label = rel[0] as string;
    const list = byClass.get(label) ?? [];
    list.push({ path: f.path, label, file: f.file });
    byClass.set(label, list);
  }

  // Sorting by name keeps label ids stable across imports of the same folder, whatever order the OS lists it in.
  const images: ClassifiedImage[] = [];
  for (const label of [...byClass.keys()].sort()) {
    const list = (byClass.get(label) ?? []).sort((a, b) => (a.path < b.path ? -1 : 1));
    images.push(...list);
  }
  return { classes: [...byClass.keys()].sort(), images, issues };
}

/** Classes with fewer than `min` usable images cannot be both trained and validated: they are dropped and reported. */
export function dropSmallClasses(
  images: ClassifiedImage[],
  min: number,
): { classes: string[]; images: ClassifiedImage[]; issues: DatasetIssue[] } {
  const counts = new Map<string, number>();
  for (const img of images) counts.set(img.label, (counts.get(img.label) ?? 0) + 1);
  const issues: DatasetIssue[] = [];
  const kept = new Set<string>();
  for (const [label, count] of counts) {
    if (count >= min) kept.add(label);
    else
      issues.push({
        path: label,
        kind: 'too-few-images',
        message: `Class "${label}" has ${count} usable image${count === 1 ? '' : 's'}; each class needs at least ${min}. Add images or remove the folder. It was left out.`,
      });
  }
  return {
    classes: [...kept].sort(),
    images: images.filter((img) => kept.has(img.label)),
    issues,
  };
}
