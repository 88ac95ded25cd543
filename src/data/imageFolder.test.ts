import { describe, expect, it } from 'vitest';
import type { DatasetFile } from '../api.ts';
import { classifyImageFolder, dropSmallClasses } from './imageFolder.ts';

const f = (path: string): DatasetFile => ({ path, file: new Blob([path]) });

describe('classifyImageFolder', () => {
  it('reads classes from the first folder under the dropped root, sorted', () => {
    const layout = classifyImageFolder([
      f('pets/dog/2.png'),
      f('pets/cat/1.jpg'),
      f('pets/dog/1.PNG'),
      f('pets/cat/indoor/3.webp'),
    ]);
    expect(layout.classes).toEqual(['cat', 'dog']);
    expect(layout.images.map((i) => `${i.label}:${i.path}`)).toEqual([
      'cat:pets/cat/1.jpg',
      'cat:pets/cat/indoor/3.webp',
      'dog:pets/dog/1.PNG',
      'dog:pets/dog/2.png',
    ]);
    expect(layout.issues).toEqual([]);
  });

  it('accepts class folders without a root folder', () => {
    const layout = classifyImageFolder([f('cat/1.png'), f('dog/1.png')]);
    expect(layout.classes).toEqual(['cat', 'dog']);
  });

  it('reports non-images and loose files by name, skips OS litter', () => {
    const layout = classifyImageFolder([
      f('set/cat/1.png'),
      f('set/cat/notes.txt'),
      f('set/cat/.DS_Store'),
      f('set/readme'),
      f('set/dog/1.png'),
    ]);
    expect(layout.issues.map((i) => [i.kind, i.path])).toEqual([
      ['not-an-image', 'set/cat/notes.txt'],
      ['no-class-folder', 'set/readme'],
    ]);
    expect(layout.issues[0]?.message).toContain('set/cat/notes.txt');
  });
});

describe('dropSmallClasses', () => {
  it('drops and names classes under the minimum', () => {
    const { images } = classifyImageFolder([f('a/1.png'), f('a/2.png'), f('b/1.png')]);
    const kept = dropSmallClasses(images, 2);
    expect(kept.classes).toEqual(['a']);
    expect(kept.images).toHaveLength(2);
    expect(kept.issues).toHaveLength(1);
    expect(kept.issues[0]?.message).toContain('"b" has 1 usable image;');
  });
});
