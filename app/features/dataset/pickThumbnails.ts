import type { DatasetFile, DatasetSummary } from '../../../src/index.ts';

/** How many example images the dataset panel shows per class. */
export const THUMBNAILS_PER_CLASS = 6;

/**
 * The class a file belongs to, by the engine's folder rule: the first folder below the dataset
 * folder (`shapes/ring/a.png` and `ring/a.png` are both rings; deeper files belong to their first-level folder).
 */
function classOf(parts: string[], stripRoot: boolean): string | null {
  const rel = stripRoot ? parts.slice(1) : parts;
  return rel.length >= 2 ? (rel[0] ?? null) : null;
}

/** Picks up to `perClass` files of each class the engine accepted, skipping files it reported as broken. */
export function pickThumbnails(
  files: readonly DatasetFile[],
  summary: Pick<DatasetSummary, 'classes' | 'issues'>,
  perClass = THUMBNAILS_PER_CLASS,
): Map<string, DatasetFile[]> {
  const picks = new Map<string, DatasetFile[]>(summary.classes.map((c) => [c.name, []]));
  const skipped = new Set(summary.issues.map((i) => i.path));
  const split = files.map((f) => ({ f, parts: f.path.split('/').filter((p) => p.length > 0) }));
  const tops = new Set(split.map((s) => s.parts[0]));
  const stripRoot = tops.size === 1 && split.some((s) => s.parts.length >= 3);
  for (const { f, parts } of split) {
    if (skipped.has(f.path)) continue;
    const name = classOf(parts, stripRoot);
    const list = name === null ? undefined : picks.get(name);
    if (list && list.length < perClass) list.push(f);
  }
  return picks;
}
