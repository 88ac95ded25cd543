import type { DatasetFile } from '../../../src/index.ts';

/**
 * Turning a dropped or picked folder into `DatasetFile[]`. DOM-free: the browser's entry and file
 * objects are described structurally, so tests can hand in fakes.
 */

export interface CollectedDataset {
  /** The dropped folder's name (the dataset name). */
  name: string;
  /** Sorted by path, so a seeded split never depends on the order the OS listed the files in. */
  files: DatasetFile[];
}

/** Used when no single top folder names the dataset (several folders or loose files dropped). */
export const FALLBACK_DATASET_NAME = 'dropped-dataset';

/** The subset of File that path handling needs. */
export interface NamedBlob extends Blob {
  readonly name: string;
  readonly webkitRelativePath?: string;
}

/** The subset of FileSystemEntry (FileSystemFileEntry / FileSystemDirectoryEntry) that traversal needs. */
export interface EntryLike {
  readonly name: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}
export interface FileEntryLike extends EntryLike {
  file(success: (file: Blob) => void, failure?: (error: unknown) => void): void;
}
export interface DirectoryReaderLike {
  readEntries(success: (entries: EntryLike[]) => void, failure?: (error: unknown) => void): void;
}
export interface DirectoryEntryLike extends EntryLike {
  createReader(): DirectoryReaderLike;
}

function isFileEntry(entry: EntryLike): entry is FileEntryLike {
  return entry.isFile && typeof (entry as Partial<FileEntryLike>).file === 'function';
}
function isDirectoryEntry(entry: EntryLike): entry is DirectoryEntryLike {
  return entry.isDirectory && typeof (entry as Partial<DirectoryEntryLike>).createReader === 'function';
}

function sortByPath(files: DatasetFile[]): DatasetFile[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function topFolderOf(paths: string[]): string | null {
  const tops = new Set(paths.map((p) => p.split('/')[0] ?? ''));
  const [only] = tops;
  return tops.size === 1 && only && paths.some((p) => p.includes('/')) ? only : null;
}

/** Joins path segments with '/', dropping empty ones and any leading or trailing slashes. */
export function joinPath(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split(/[\\/]/))
    .filter((p) => p.length > 0 && p !== '.')
    .join('/');
}

/**
 * Files from `<input type="file" webkitdirectory>`: `webkitRelativePath` already starts with the
 * picked folder's name. Files without one (a plain multi-file pick) keep just their name.
 */
export function collectFromFileList(files: Iterable<NamedBlob>): CollectedDataset {
  const list: DatasetFile[] = [];
  for (const file of files) {
    const path = joinPath(file.webkitRelativePath || file.name);
    if (path) list.push({ path, file });
  }
  return { name: topFolderOf(list.map((f) => f.path)) ?? FALLBACK_DATASET_NAME, files: sortByPath(list) };
}

function readAllEntries(reader: DirectoryReaderLike): Promise<EntryLike[]> {
  // readEntries returns the listing in chunks (Chrome: 100 at a time) and an empty array at the end.
  return new Promise((resolve, reject) => {
    const all: EntryLike[] = [];
    const next = (): void =>
      reader.readEntries((chunk) => {
        if (chunk.length === 0) resolve(all);
        else {
          all.push(...chunk);
          next();
        }
      }, reject);
    next();
  });
}

function fileOf(entry: FileEntryLike): Promise<Blob> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: EntryLike, prefix: string, out: DatasetFile[]): Promise<void> {
  const path = joinPath(prefix, entry.name);
  if (isFileEntry(entry)) {
    out.push({ path, file: await fileOf(entry) });
  } else if (isDirectoryEntry(entry)) {
    const children = await readAllEntries(entry.createReader());
    await Promise.all(children.map((child) => walk(child, path, out)));
  }
}

/**
 * Walks dropped entries (from `DataTransferItem.webkitGetAsEntry()`). One dropped folder gives paths
 * that start with its name; several dropped items are kept side by side (e.g. class folders dropped
 * directly) under a fallback dataset name.
 */
export async function collectFromEntries(entries: readonly EntryLike[]): Promise<CollectedDataset> {
  const files: DatasetFile[] = [];
  await Promise.all(entries.map((entry) => walk(entry, '', files)));
  const [only] = entries;
  const name = entries.length === 1 && only && isDirectoryEntry(only) ? only.name : FALLBACK_DATASET_NAME;
  return { name, files: sortByPath(files) };
}

/** What a drop handler must grab synchronously: DataTransfer contents vanish once the event returns. */
export interface DropSnapshot {
  entries: EntryLike[];
  files: NamedBlob[];
}

/** Prefers the entries API (it sees folders); falls back to the plain files of the drop. */
export async function collectFromDrop(drop: DropSnapshot): Promise<CollectedDataset> {
  if (drop.entries.length > 0) return collectFromEntries(drop.entries);
  return collectFromFileList(drop.files);
}
