import { describe, expect, it } from 'vitest';
import type { DatasetFile } from '../../../src/index.ts';
import { pickThumbnails } from './pickThumbnails.ts';

const f = (path: string): DatasetFile => ({ path, file: new Blob([path]) });
const cls = (name: string) => ({ name, count: 0, train: 0, validation: 0 });

describe('pickThumbnails', () => {
  it('takes up to N images per accepted class, skipping files the import reported', () => {
    const files = [
      ...Array.from({ length: 8 }, (_, i) => f(`shapes/ring/${i}.png`)),
      f('shapes/star/bad.png'),
      f('shapes/star/ok.png'),
      f('shapes/tiny/only.png'),
    ];
    const picks = pickThumbnails(
      files,
      {
        classes: [cls('ring'), cls('star')],
        issues: [{ path: 'shapes/star/bad.png', kind: 'corrupt-image', message: '' }],
      },
      6,
    );
    expect(picks.get('ring')?.map((x) => x.path)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `shapes/ring/${i}.png`));
    expect(picks.get('star')?.map((x) => x.path)).toEqual(['shapes/star/ok.png']);
    expect(picks.has('tiny')).toBe(false); // dropped by the engine: no thumbnails
  });

  it('reads classes from the first level when there is no dataset folder', () => {
    const picks = pickThumbnails([f('ring/a.png'), f('star/b.png')], { classes: [cls('ring'), cls('star')], issues: [] });
    expect(picks.get('ring')?.length).toBe(1);
    expect(picks.get('star')?.length).toBe(1);
  });
});
