import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { DatasetFile } from '../api.ts';

/** A folder on disk as the studio receives a dropped one: paths relative to its parent, as Blobs. */
export function readFolder(dir: string): DatasetFile[] {
  const out: DatasetFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push({ path: `${basename(dir)}/${relative(dir, full)}`, file: new Blob([readFileSync(full)]) });
    }
  };
  walk(dir);
  return out;
}
