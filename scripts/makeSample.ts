/**
 * Writes the sample fine-tuning dataset the studio preloads on start:
 *   public/datasets/shapes-sample/<class>/<class>-NNN.png   (64x64 RGB PNGs, seeded)
 *   public/datasets/shapes-sample/manifest.json            ({ name, files: paths relative to the folder })
 * Its classes (scripts/shapes.ts SAMPLE_CLASSES) are ones the base model never saw.
 *
 *   npx tsx scripts/makeSample.ts [--out=DIR]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encode } from 'fast-png';
import { childSeed, mulberry32 } from './rng.ts';
import { SAMPLE_CLASSES, renderShape } from './shapes.ts';

export const SAMPLE_RECIPE = { name: 'shapes-sample', seed: 7001, imagesPerClass: 24, size: 64 };

/** RGBA to RGB: the images are opaque, and dropping alpha makes the PNGs a quarter smaller. */
function toRgb(rgba: Uint8ClampedArray): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
    rgb[q] = rgba[p]!;
    rgb[q + 1] = rgba[p + 1]!;
    rgb[q + 2] = rgba[p + 2]!;
  }
  return rgb;
}

export interface WrittenDataset {
  files: string[];
  bytes: number;
}

/**
 * Writes the dataset into `out`. Each class folder is replaced whole, so fewer images leave no stale files;
 * nothing else in `out` is touched, so a mistyped --out cannot wipe an unrelated folder.
 */
export async function writeSampleDataset(out: string): Promise<WrittenDataset> {
  const { seed, imagesPerClass, size } = SAMPLE_RECIPE;
  for (const kind of SAMPLE_CLASSES) await rm(join(out, kind), { recursive: true, force: true });

  const master = mulberry32(seed);
  const files: string[] = [];
  let bytes = 0;
  for (const kind of SAMPLE_CLASSES) {
    await mkdir(join(out, kind), { recursive: true });
    for (let i = 0; i < imagesPerClass; i++) {
      const rgba = renderShape(kind, mulberry32(childSeed(master)), size);
      const png = encode({ width: size, height: size, data: toRgb(rgba), channels: 3, depth: 8 });
      const path = `${kind}/${kind}-${String(i).padStart(3, '0')}.png`;
      await writeFile(join(out, path), png);
      files.push(path);
      bytes += png.byteLength;
    }
  }
  const manifest = { name: SAMPLE_RECIPE.name, files };
  const manifestJson = `${JSON.stringify(manifest, null, 2)}\n`;
  await writeFile(join(out, 'manifest.json'), manifestJson);
  return { files, bytes: bytes + Buffer.byteLength(manifestJson) };
}

async function main(): Promise<void> {
  const outArg = process.argv.slice(2).find((a) => a.startsWith('--out='));
  const out = outArg?.slice('--out='.length) ?? join('public', 'datasets', SAMPLE_RECIPE.name);
  const started = performance.now();
  const { files, bytes } = await writeSampleDataset(out);
  const ms = (performance.now() - started).toFixed(0);
  console.log(`wrote ${files.length} images + manifest.json (${(bytes / 1024).toFixed(0)} KiB) to ${out} in ${ms} ms`);
}

// Run only as a script, not when a test imports writeSampleDataset.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
