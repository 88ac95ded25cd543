/**
 * Writes the sample table the studio offers for CSV training: public/datasets/plants-sample.csv.
 * Seeded and made up (no real measurements): 600 plants with numeric and categorical columns, a
 * `species` label (last, so the default) for classification and a `yield_g` column for regression. Species and yield follow
 * simple rules plus noise, so a small MLP can learn both and a wrong pipeline cannot.
 *
 *   npx tsx scripts/makeTableSample.ts [--out=FILE]
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32 } from './rng.ts';

export const TABLE_RECIPE = { seed: 8117, rows: 600 };

const SPECIES = ['fern', 'sunflower', 'cactus'] as const;
const SOILS = ['loam', 'sand', 'clay'] as const;
const WATERING = ['daily', 'weekly', 'rarely'] as const;

/** The CSV text, header first. Same recipe, same bytes. */
export function makeTableSample(recipe = TABLE_RECIPE): string {
  const rng = mulberry32(recipe.seed);
  const normal = (): number => {
    // Box-Muller: two uniforms -> one standard normal.
    const u = Math.max(rng(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
  const pick = <T>(items: readonly T[], weights: number[]): T => {
    let x = rng() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < items.length; i++) if ((x -= weights[i]!) <= 0) return items[i]!;
    return items[items.length - 1]!;
  };
  const lines = ['height_cm,leaf_width_mm,sunlight_h,soil,watering,yield_g,species'];
  for (let i = 0; i < recipe.rows; i++) {
    const s = i % 3;
    const species = SPECIES[s]!;
    const height = [35, 160, 25][s]! + normal() * [10, 35, 12][s]!;
    const leaf = [45, 90, 4][s]! + normal() * [12, 20, 3][s]!;
    const sun = Math.min(14, Math.max(1, [4, 10, 11][s]! + normal() * 2));
    const soil = pick(SOILS, [[5, 1, 3], [4, 2, 2], [1, 6, 1]][s]!);
    const watering = pick(WATERING, [[5, 3, 1], [3, 5, 1], [0.5, 2, 6]][s]!);
    const yieldG = Math.max(0, 0.8 * height + 6 * sun + (soil === 'loam' ? 25 : soil === 'clay' ? 10 : 0) + normal() * 8);
    lines.push([height.toFixed(1), Math.max(1, leaf).toFixed(1), sun.toFixed(1), soil, watering, yieldG.toFixed(1), species].join(','));
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outArg = process.argv.find((a) => a.startsWith('--out='));
  const out = resolve(outArg ? outArg.slice(6) : 'public/datasets/plants-sample.csv');
  await writeFile(out, makeTableSample());
  console.log(`wrote ${TABLE_RECIPE.rows} rows to ${out}`);
}
