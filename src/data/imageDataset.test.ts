import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT, type DatasetFile } from '../api.ts';
import { decodeImagePng } from './decodeImagePng.ts';
import { importImageDataset } from './imageDataset.ts';

const SAMPLE = fileURLToPath(new URL('../../public/datasets/shapes-sample/', import.meta.url));
const png = (cls: string, i: number) => readFileSync(`${SAMPLE}${cls}/${readdirSync(`${SAMPLE}${cls}`).sort()[i]}`);

describe('importImageDataset with a labels CSV', () => {
  it('takes classes from file,label rows instead of folders, and names rows whose file is missing', async () => {
    // A flat folder: images named by number, their classes only in labels.csv.
    const files: DatasetFile[] = [];
    const rows = ['file,label'];
    ['ring', 'star'].forEach((cls, c) => {
      for (let i = 0; i < 3; i++) {
        const name = `img-${c}${i}.png`;
        files.push({ path: `flat/${name}`, file: new Blob([new Uint8Array(png(cls, i))]) });
        rows.push(`${name},${cls}`);
      }
    });
    rows.push('gone.png,ring');
    files.push({ path: 'flat/labels.csv', file: new Blob([rows.join('\n')]) });
    const ds = await importImageDataset('flat', files, DEFAULT_SPLIT, [32, 32, 3], decodeImagePng);
    expect(ds.classes).toEqual(['ring', 'star']);
    expect(ds.summary.classes.map((c) => c.count)).toEqual([3, 3]);
    const missing = ds.summary.issues.find((i) => i.kind === 'csv-missing-file');
    expect(missing?.line).toBe(8);
    expect(missing?.message).toContain('gone.png');
  });

  it('falls back to class folders when the CSV is not a labels file', async () => {
    const files: DatasetFile[] = [
      { path: 'set/ring/a.png', file: new Blob([new Uint8Array(png('ring', 0))]) },
      { path: 'set/ring/b.png', file: new Blob([new Uint8Array(png('ring', 1))]) },
      { path: 'set/star/a.png', file: new Blob([new Uint8Array(png('star', 0))]) },
      { path: 'set/star/b.png', file: new Blob([new Uint8Array(png('star', 1))]) },
      { path: 'set/notes.csv', file: new Blob(['when,who\n2024,me\n']) },
    ];
    const ds = await importImageDataset('set', files, DEFAULT_SPLIT, [32, 32, 3], decodeImagePng);
    expect(ds.classes).toEqual(['ring', 'star']);
    expect(ds.summary.issues.map((i) => i.path)).toEqual(['set/notes.csv']);
  });
});
