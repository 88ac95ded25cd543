/**
 * Writes the sample fine-tuning dataset the studio preloads on start:
 *   public/datasets/shapes-sample/<class>/<class>-NNN.png   (64x64 RGB PNGs, seeded)
 *   public/datasets/shapes-sample.json                     ({ name, files: paths from public/datasets/ })
 * The manifest sits beside the folder, not in it, so a person who drops the folder drops images only.
 * Its classes (scripts/shapes.ts SAMPLE_CLASSES) are ones the base model never saw.
 *
 *   npx tsx scripts/makeSample.ts [--out=DIR]
 */
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
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
 * Removes what an earlier run wrote: the files its manifest lists (classes since renamed included) and the
 * current class folders. Nothing else in `out` is touched, so a mistyped --out cannot wipe an unrelated folder.
 */
/** The manifest beside the dataset folder: `shapes-sample/` -> `shapes-sample.json`. */
export function manifestPathFor(out: string): string {
  return `${out.replace(/[/\\]+$/, '')}.json`;
}

async function removePreviousDataset(out: string): Promise<void> {
  const manifestPath = manifestPathFor(out);
  const previous = await readFile(manifestPath, 'utf8').then(
    (text) => (JSON.parse(text) as { files?: unknown }).files,
    () => undefined,
  );
  if (Array.isArray(previous)) {
    const prefix = `${basename(out)}/`;
    const files = previous
      .filter((f): f is string => typeof f === 'string' && f.startsWith(prefix) && !f.includes('..'))
      .map((f) => f.slice(prefix.length));
    await Promise.all(files.map((f) => rm(join(out, f), { force: true })));
    // Folders the old files leave empty go too; rmdir refuses non-empty ones, which is the point.
    const folders = new Set(files.map((f) => dirname(f)).filter((d) => d !== '.'));
    await Promise.all([...folders].map((d) => rmdir(join(out, d)).catch(() => undefined)));
  }
  await rm(manifestPath, { force: true });
  for (const kind of SAMPLE_CLASSES) await rm(join(out, kind), { recursive: true, force: true });
}

/** Writes the dataset into `out`, replacing an earlier one (see removePreviousDataset). */
export async function writeSampleDataset(out: string): Promise<WrittenDataset> {
  const { seed, imagesPerClass, size } = SAMPLE_RECIPE;
  await removePreviousDataset(out);

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
  const manifest = { name: SAMPLE_RECIPE.name, files: files.map((f) => `${basename(out)}/${f}`) };
  const manifestJson = `${JSON.stringify(manifest, null, 2)}\n`;
  await writeFile(manifestPathFor(out), manifestJson);
  return { files, bytes: bytes + Buffer.byteLength(manifestJson) };
}

async function main(): Promise<void> {
  const outArg = process.argv.slice(2).find((a) => a.startsWith('--out='));
  const out = outArg?.slice('--out='.length) ?? join('public', 'datasets', SAMPLE_RECIPE.name);
  const started = performance.now();
  const { files, bytes } = await writeSampleDataset(out);
  const ms = (performance.now() - started).toFixed(0);
  console.log(`wrote ${files.length} images + ${manifestPathFor(out)} (${(bytes / 1024).toFixed(0)} KiB) to ${out} in ${ms} ms`);
}

// Run only as a script, not when a test imports writeSampleDataset.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
