import { describe, expect, it } from 'vitest';
import { encodeTabularRecord, encodeTabularRows, fitTabularEncoder } from './fitTabularEncoder.ts';
import { inferSchema } from './inferSchema.ts';
import { parseCsv } from './parseCsv.ts';

describe('fitTabularEncoder', () => {
  it('uses train rows only; unseen categories are zeros; std 0 becomes 1; records encode like rows', async () => {
    const p = await parseCsv('x,k,c,y\n1,5,red,a\n3,5,blue,b\n100,5,green,a\n,5,red,b\n');
    const s = inferSchema(p, { task: 'classification' });
    const enc = fitTabularEncoder(s.features, [0, 1, 3], { task: 'classification', column: 'y', classes: ['a', 'b'] });
    expect(enc.featureNames).toEqual(['x', 'k', 'c=blue', 'c=red']);
    expect(enc.columns[0]).toMatchObject({ mean: 2, std: 1 });
    expect(enc.columns[1]).toMatchObject({ mean: 5, std: 1 });
    const out = encodeTabularRows(enc, s.features, [2, 3]);
    expect(Array.from(out)).toEqual([98, 0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(encodeTabularRecord(enc, { x: '100', k: 5, c: 'green' }))).toEqual([98, 0, 0, 0]);
    expect(Array.from(encodeTabularRecord(enc, { c: 'red' }))).toEqual([0, 0, 0, 1]);
  });
});
