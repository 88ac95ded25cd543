import { describe, expect, it } from 'vitest';
import { errorOf } from '../../testing/errorOf.ts';
import { buildTabularDataset, loadTabularCsv } from './buildTabularDataset.ts';
import { parseCsv } from './parseCsv.ts';


const rowOf = (d: { features: Float32Array; featureCount: number }, i: number) =>
  Array.from(d.features.subarray(i * d.featureCount, (i + 1) * d.featureCount));

describe('loadTabularCsv', () => {
  const iris = [
    'sepal,color,species',
    ...Array.from({ length: 30 }, (_, i) => `${(i % 7) + 0.5},${['red', 'blue', 'green'][i % 3]},${['setosa', 'virginica'][i % 2]}`),
  ].join('\n');

  it('uses the last column as label, classification for text labels, sorted classes', async () => {
    const d = await loadTabularCsv(iris, { name: 'iris' });
    expect(d.summary.task).toBe('classification');
    expect(d.summary.labelColumn).toBe('species');
    expect(d.encoder.label).toMatchObject({ classes: ['setosa', 'virginica'] });
    expect(d.summary.classes.map((c) => [c.name, c.count])).toEqual([
      ['setosa', 15],
      ['virginica', 15],
    ]);
    expect(d.featureNames).toEqual(['sepal', 'color=blue', 'color=green', 'color=red']);
    expect(d.features).toHaveLength(30 * 4);
    expect(d.labels).toHaveLength(30);
    expect(d.summary.columns.map((c) => [c.name, c.type, c.role])).toEqual([
      ['sepal', 'numeric', 'feature'],
      ['color', 'categorical', 'feature'],
      ['species', 'categorical', 'label'],
    ]);
    expect(d.summary.train + d.summary.validation).toBe(30);
    expect(d.split.validation.length).toBeGreaterThan(0);
  });

  it('lets the user pick the label column', async () => {
    const d = await loadTabularCsv(iris, { labelColumn: 'color' });
    expect(d.summary.labelColumn).toBe('color');
    expect(d.encoder.label).toMatchObject({ classes: ['blue', 'green', 'red'] });
    expect(d.featureNames).toEqual(['sepal', 'species=setosa', 'species=virginica']);
    const e = await errorOf(loadTabularCsv(iris, { labelColumn: 'nope' }));
    expect(e.code).toBe('csv-unknown-column');
    expect(e.message).toContain('sepal, color, species');
  });

  it('chooses regression for fractional labels and classification for few integers; override works', async () => {
    const reg = 'x,y\n' + Array.from({ length: 40 }, (_, i) => `${i},${i * 1.5 + 0.25}`).join('\n');
    const r = await loadTabularCsv(reg);
    expect(r.summary.task).toBe('regression');
    expect(r.labels).toBeNull();
    const { mean, std } = r.encoder.label as { mean: number; std: number };
    // Targets are standardised with train statistics, and undo exactly.
    r.split.train.forEach((i) => expect(r.targets![i]! * std + mean).toBeCloseTo(i * 1.5 + 0.25, 3));
    const trainTargets = r.split.train.map((i) => r.targets![i]!);
    expect(trainTargets.reduce((a, b) => a + b, 0) / trainTargets.length).toBeCloseTo(0, 5);

    const cls = 'x,y\n' + Array.from({ length: 40 }, (_, i) => `${i},${i % 3}`).join('\n');
    const c = await loadTabularCsv(cls);
    expect(c.summary.task).toBe('classification');
    expect(c.encoder.label).toMatchObject({ classes: ['0', '1', '2'] });
    expect((await loadTabularCsv(cls, { task: 'regression' })).summary.task).toBe('regression');

    const many = 'x,y\n' + Array.from({ length: 40 }, (_, i) => `${i},${i}`).join('\n');
    expect((await loadTabularCsv(many)).summary.task).toBe('regression');
    expect((await errorOf(loadTabularCsv(iris, { task: 'regression' }))).code).toBe('csv-label-not-numeric');
  });

  it('fits the encoder on train only: train mean/std, validation-only category -> zeros, missing -> mean', async () => {
    // Rows 0..9 alternate labels; "purple" appears only in one row which we force into validation.
    const rows = Array.from({ length: 20 }, (_, i) => ({ v: String(i), color: i === 19 ? 'purple' : i % 2 ? 'red' : 'blue', label: i % 2 ? 'b' : 'a' }));
    rows[5]!.v = '';
    const text = 'v,color,label\n' + rows.map((r) => `${r.v},${r.color},${r.label}`).join('\n');
    const parsed = await parseCsv(text);
    // Try seeds until row 19 is in validation (the split is seeded, so this is deterministic).
    let d = buildTabularDataset(parsed, { split: { validationFraction: 0.25, seed: 1 } });
    for (let seed = 2; !d.split.validation.includes(19); seed++) {
      d = buildTabularDataset(parsed, { split: { validationFraction: 0.25, seed } });
    }
    expect(d.featureNames).toEqual(['v', 'color=blue', 'color=red']);
    const enc = d.encoder.columns[0]!;
    const trainVals = d.split.train.filter((i) => i !== 5).map((i) => i);
    const mean = trainVals.reduce((a, b) => a + b, 0) / trainVals.length;
    const std = Math.sqrt(trainVals.reduce((a, b) => a + (b - mean) ** 2, 0) / trainVals.length);
    expect(enc).toMatchObject({ kind: 'numeric' });
    expect((enc as { mean: number }).mean).toBeCloseTo(mean, 10);
    expect((enc as { std: number }).std).toBeCloseTo(std, 10);
    // The whole-data mean (9.47) differs from the train mean, so this proves train-only fitting.
    expect(rowOf(d, 19)).toEqual([Math.fround((19 - mean) / std), 0, 0]);
    expect(rowOf(d, 5)[0]).toBe(0); // missing -> train mean -> 0
    expect(rowOf(d, 1).slice(1)).toEqual([0, 1]);
  });

  it('caps categories per column with an "other" bucket and says so', async () => {
    const text = 'c,y\n' + Array.from({ length: 60 }, (_, i) => `${i < 30 ? 'a' : i < 50 ? 'b' : `z${i}`},${i % 2}`).join('\n');
    const d = await loadTabularCsv(text, { maxCategories: 2, split: { validationFraction: 0, seed: 1 } });
    expect(d.featureNames).toEqual(['c=a', 'c=b', 'c=(other)']);
    expect(d.summary.issues.some((i) => i.kind === 'many-categories' && i.column === 'c')).toBe(true);
  });

  it('skips or fails on text in a numeric column and empty labels, with line numbers', async () => {
    const text = 'a,b,y\n' + Array.from({ length: 150 }, (_, i) => (i === 40 ? '1,oops,x' : i === 60 ? '2,3,' : `${i},${i * 2},${i % 2 ? 'x' : 'z'}`)).join('\n');
    const d = await loadTabularCsv(text);
    expect(d.summary.columns[1]!.type).toBe('numeric');
    expect(d.summary.issues.filter((i) => i.line !== null).map((i) => [i.line, i.kind])).toEqual([
      [42, 'not-numeric'],
      [62, 'empty-label'],
    ]);
    expect(d.summary.total).toBe(148);
    expect(d.summary.skippedRows).toBe(2);
    expect(Array.from(d.rowLines.slice(40, 42))).toEqual([43, 44]);
    const e = await errorOf(loadTabularCsv(text, { onBadRow: 'fail' }));
    expect(e.code).toBe('csv-bad-row');
    expect(e.message).toContain('Line 42: "oops" in column "b" is not a number');
    // Forcing the type works on small files too.
    const small = await loadTabularCsv('a,y\n1,x\n2,y\nz,x\n4,y\n', { columnTypes: { a: 'numeric' } });
    expect(small.summary.issues.filter((i) => i.line !== null).map((i) => i.line)).toEqual([4]);
  });

  it('lists parse-level bad rows in the summary issues', async () => {
    const d = await loadTabularCsv('a,y\n1,x\n2,y,3\n3,x\n4,y\n');
    expect(d.summary.issues.filter((i) => i.line !== null).map((i) => [i.line, i.kind])).toEqual([[3, 'field-count']]);
    expect(d.summary.rowsInFile).toBe(4);
  });

  it('rejects header-only and all-bad files', async () => {
    expect((await errorOf(loadTabularCsv('a,b\n'))).code).toBe('csv-no-rows');
    expect((await errorOf(loadTabularCsv('a,b\n1\n2\n'))).message).toContain('Line 2');
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const text = 'x,c,y\n' + Array.from({ length: 200 }, (_, i) => `${(i * 37) % 101},${'pqr'[i % 3]},${i % 4}`).join('\n');
    const a = await loadTabularCsv(text, { split: { validationFraction: 0.2, seed: 7 } });
    const b = await loadTabularCsv(text, { split: { validationFraction: 0.2, seed: 7 } });
    const c = await loadTabularCsv(text, { split: { validationFraction: 0.2, seed: 8 } });
    expect(b.split).toEqual(a.split);
    expect(Array.from(b.features)).toEqual(Array.from(a.features));
    expect(c.split.validation).not.toEqual(a.split.validation);
  });

  it('parses and encodes 100k rows x 20 columns correctly (timing printed, not asserted)', async () => {
    const N = 100_000;
    const cats = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const lines = ['f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,f12,f13,f14,f15,c0,c1,c2,label'];
    for (let i = 0; i < N; i++) {
      const nums = Array.from({ length: 16 }, (_, j) => ((i * (j + 3)) % 1000) / 10);
      lines.push(`${nums.join(',')},${cats[i % 5]},${cats[(i >> 1) % 5]},"q ${i % 7}",${['yes', 'no', 'maybe'][i % 3]}`);
    }
    const text = lines.join('\n') + '\n';
    const t0 = performance.now();
    const d = await loadTabularCsv(new Blob([text]));
    const ms = performance.now() - t0;
    console.log(`100k x 20 CSV (${(text.length / 1e6).toFixed(1)} MB): parse + encode ${ms.toFixed(0)} ms`);
    expect(d.summary.total).toBe(N);
    expect(d.featureCount).toBe(16 + 5 + 5 + 7);
    expect(d.summary.classes.map((c) => c.count)).toEqual([33333, 33333, 33334]);
    expect(d.summary.train + d.summary.validation).toBe(N);
    expect(d.rowLines[N - 1]).toBe(N + 1);
    // Row 12345, feature c0=... is one-hot exactly once in c0's block.
    const row = rowOf(d, 12345);
    expect(row.slice(16, 21).reduce((a, b) => a + b, 0)).toBe(1);
    expect(row[16 + ['alpha', 'beta', 'delta', 'epsilon', 'gamma'].indexOf(cats[12345 % 5]!)]).toBe(1);
  });
});
