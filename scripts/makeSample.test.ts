import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from 'fast-png';
import { manifestPathFor, SAMPLE_RECIPE, writeSampleDataset } from './makeSample.ts';
import { SAMPLE_CLASSES } from './shapes.ts';

describe('writeSampleDataset', () => {
  let parent = '';
  let dir = '';
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'tabtune-sample-'));
    dir = join(parent, 'shapes-sample');
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('writes class folders of 64x64 PNGs, a manifest listing them, and stays small', async () => {
    const written = await writeSampleDataset(dir);
    const manifest = JSON.parse(await readFile(manifestPathFor(dir), 'utf8')) as { name: string; files: string[] };
    expect(manifestPathFor(dir)).toBe(join(parent, 'shapes-sample.json'));
    expect(manifest.name).toBe('shapes-sample');
    expect(manifest.files).toEqual(written.files.map((f) => `shapes-sample/${f}`));
    expect(manifest.files).toHaveLength(SAMPLE_CLASSES.length * SAMPLE_RECIPE.imagesPerClass);
    expect(manifest.files[0]).toBe(`shapes-sample/${SAMPLE_CLASSES[0]}/${SAMPLE_CLASSES[0]}-000.png`);
    // The folder holds class folders only: dropping it imports images and nothing else.
    expect((await readdir(dir)).sort()).toEqual([...SAMPLE_CLASSES].sort());
    for (const path of manifest.files) {
      const png = decode(await readFile(join(parent, path)));
      expect([png.width, png.height, png.channels]).toEqual([64, 64, 3]);
    }
    expect(written.bytes).toBeLessThan(1_000_000);
  });

  it('removes the files of an earlier manifest, but nothing it did not write', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(dir, 'arrow'), { recursive: true });
    await writeFile(join(dir, 'arrow', 'arrow-000.png'), 'old');
    await writeFile(join(dir, 'keep.txt'), 'not ours');
    await writeFile(manifestPathFor(dir), JSON.stringify({ name: 'shapes-sample', files: ['shapes-sample/arrow/arrow-000.png'] }));
    await writeSampleDataset(dir);
    expect((await readdir(dir)).sort()).toEqual([...SAMPLE_CLASSES, 'keep.txt'].sort());
    await rm(join(dir, 'keep.txt'));
  });

  it('is deterministic', async () => {
    const first = await readFile(join(dir, 'star', 'star-007.png'));
    await writeSampleDataset(dir);
    expect((await readFile(join(dir, 'star', 'star-007.png'))).equals(first)).toBe(true);
  });
});
