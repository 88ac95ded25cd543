import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from 'fast-png';
import { SAMPLE_RECIPE, writeSampleDataset } from './makeSample.ts';
import { SAMPLE_CLASSES } from './shapes.ts';

describe('writeSampleDataset', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tabtune-sample-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes class folders of 64x64 PNGs, a manifest listing them, and stays small', async () => {
    const written = await writeSampleDataset(dir);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { name: string; files: string[] };
    expect(manifest.name).toBe('shapes-sample');
    expect(manifest.files).toEqual(written.files);
    expect(manifest.files).toHaveLength(SAMPLE_CLASSES.length * SAMPLE_RECIPE.imagesPerClass);
    expect(manifest.files[0]).toBe(`${SAMPLE_CLASSES[0]}/${SAMPLE_CLASSES[0]}-000.png`);
    expect((await readdir(dir)).sort()).toEqual([...SAMPLE_CLASSES, 'manifest.json'].sort());
    for (const path of manifest.files) {
      const png = decode(await readFile(join(dir, path)));
      expect([png.width, png.height, png.channels]).toEqual([64, 64, 3]);
    }
    expect(written.bytes).toBeLessThan(1_000_000);
  });

  it('is deterministic', async () => {
    const first = await readFile(join(dir, 'star', 'star-007.png'));
    await writeSampleDataset(dir);
    expect((await readFile(join(dir, 'star', 'star-007.png'))).equals(first)).toBe(true);
  });
});
