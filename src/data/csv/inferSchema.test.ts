import { describe, expect, it } from 'vitest';
import { inferSchema, parseNumber } from './inferSchema.ts';
import { parseCsv } from './parseCsv.ts';

describe('parseNumber', () => {
  it('accepts plain decimals only', () => {
    expect(['1', '-2.5', '+3', '.5', '5.', '1e3', '2E-2'].map(parseNumber)).toEqual([1, -2.5, 3, 0.5, 5, 1000, 0.02]);
    for (const bad of ['', 'abc', '0x10', '0b1', 'Infinity', '1,5', '1 2', 'NaN', '1e999']) expect(parseNumber(bad)).toBeNaN();
  });
});

describe('inferSchema', () => {
  it('counts distinct and missing values per column and types them', async () => {
    const p = await parseCsv('n,c,y\n1,a,x\n1.0,b,y\n,a,x\nNA,,y\n3,b,x\n');
    const s = inferSchema(p);
    expect(s.columns.map((c) => [c.name, c.type, c.distinct, c.missing])).toEqual([
      ['n', 'numeric', 2, 2],
      ['c', 'categorical', 2, 1],
      ['y', 'categorical', 2, 0],
    ]);
    expect(s.label.name).toBe('y');
    expect(s.columns[0]).toMatchObject({ min: 1, max: 3, integer: true });
    expect(s.task).toBe('classification');
  });

  it('treats a mostly-numeric column as numeric only above the threshold', async () => {
    const p = await parseCsv('a,y\n1,x\n2,y\nz,x\n');
    expect(inferSchema(p).columns[0]!.type).toBe('categorical');
    expect(inferSchema(p, { numericThreshold: 0.6 }).columns[0]).toMatchObject({ type: 'numeric', nonNumeric: 1 });
  });
});
