import { describe, expect, it } from 'vitest';
import type { DatasetFile } from '../../api.ts';
import { EngineError } from '../../errors.ts';
import { readImageLabelCsv } from './readImageLabelCsv.ts';

const f = (path: string): DatasetFile => ({ path, file: new Blob([path]) });

describe('readImageLabelCsv', () => {
  const files = [f('pets/labels.csv'), f('pets/img/1.png'), f('pets/img/2.jpg'), f('pets/img/3.png'), f('pets/img/extra.png'), f('pets/notes.txt')];

  it('maps rows to dropped files relative to the CSV folder, reports missing and unlisted files by line', async () => {
    const csv = 'file,label\nimg/2.jpg,dog\n"img/1.png",cat\r\nimg/missing.png,cat\nimg/3.png,\n.\\img\\3.png,dog\nimg/2.jpg,cat\nnotes.txt,cat\n';
    const layout = await readImageLabelCsv(csv, files, { csvPath: 'pets/labels.csv' });
    expect(layout.classes).toEqual(['cat', 'dog']);
    expect(layout.images.map((i) => `${i.label}:${i.path}`)).toEqual(['cat:pets/img/1.png', 'dog:pets/img/2.jpg', 'dog:pets/img/3.png']);
    expect(layout.images[0]!.file).toBe(files[1]!.file);
    expect(layout.issues.map((i) => [i.kind, i.line, i.path])).toEqual([
      ['csv-missing-file', 4, 'img/missing.png'],
      ['csv-bad-row', 5, 'img/3.png'],
      ['csv-duplicate-row', 7, 'pets/img/2.jpg'],
      ['not-an-image', 8, 'pets/notes.txt'],
      ['csv-unlisted-image', null, 'pets/img/extra.png'],
    ]);
    expect(layout.issues[0]!.message).toContain('Line 4: img/missing.png is listed but was not among the dropped files');
  });

  it('works without csvPath via the shared root folder, and with path/image + class headers', async () => {
    const a = await readImageLabelCsv(new Blob(['image,class\nimg/1.png,x\nimg/3.png,y\n']), files);
    expect(a.images.map((i) => i.path)).toEqual(['pets/img/1.png', 'pets/img/3.png']);
    const b = await readImageLabelCsv('path,label\npets/img/1.png,x\n', files);
    expect(b.images.map((i) => i.path)).toEqual(['pets/img/1.png']);
  });

  it('refuses a CSV without file and label columns', async () => {
    const e = await readImageLabelCsv('a,b\n1,2\n', files).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe('csv-image-columns');
  });
});
