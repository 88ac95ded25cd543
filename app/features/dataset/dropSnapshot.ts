import type { DropSnapshot, EntryLike, NamedBlob } from './collectFiles.ts';

/**
 * Reads a drop's entries and files right away, inside the event handler: the browser empties the
 * DataTransfer as soon as the handler returns, so nothing here may be awaited first.
 */
export function snapshotDrop(dataTransfer: DataTransfer): DropSnapshot {
  const entries: EntryLike[] = [];
  for (const item of Array.from(dataTransfer.items)) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
  }
  const files: NamedBlob[] = Array.from(dataTransfer.files);
  return { entries, files };
}
