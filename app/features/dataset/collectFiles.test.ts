import { describe, expect, it } from 'vitest';
import {
  collectFromDrop,
  collectFromEntries,
  collectFromFileList,
  FALLBACK_DATASET_NAME,
  joinPath,
  type DirectoryEntryLike,
  type EntryLike,
  type FileEntryLike,
  type NamedBlob,
} from './collectFiles.ts';

function file(name: string, webkitRelativePath = ''): NamedBlob {
  return Object.assign(new Blob([name]), { name, webkitRelativePath });
}

function fileEntry(name: string): FileEntryLike {
  return { name, isFile: true, isDirectory: false, file: (ok) => ok(new Blob([name])) };
}

/** A directory whose reader hands out `chunk` entries per readEntries call, like Chrome's 100-at-a-time. */
function dirEntry(name: string, children: EntryLike[], chunk = 2): DirectoryEntryLike {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader() {
      let at = 0;
      return {
        readEntries(ok) {
          const part = children.slice(at, at + chunk);
          at += chunk;
          setTimeout(() => ok(part), 0);
        },
      };
    },
  };
}

describe('joinPath', () => {
  it('joins segments and normalises slashes', () => {
    expect(joinPath('', 'shapes', 'ring/', '/a.png')).toBe('shapes/ring/a.png');
    expect(joinPath('a\\b', './c.png')).toBe('a/b/c.png');
  });
});

describe('collectFromFileList (webkitdirectory input)', () => {
  it('keeps webkitRelativePath (it starts with the picked folder) and names the dataset after it', () => {
    const got = collectFromFileList([
      file('star-000.png', 'shapes-sample/star/star-000.png'),
      file('ring-000.png', 'shapes-sample/ring/ring-000.png'),
    ]);
    expect(got.name).toBe('shapes-sample');
    expect(got.files.map((f) => f.path)).toEqual(['shapes-sample/ring/ring-000.png', 'shapes-sample/star/star-000.png']);
  });

  it('falls back to file names when there is no relative path', () => {
    const got = collectFromFileList([file('b.png'), file('a.png')]);
    expect(got.name).toBe(FALLBACK_DATASET_NAME);
    expect(got.files.map((f) => f.path)).toEqual(['a.png', 'b.png']);
  });
});

describe('collectFromEntries (drag and drop)', () => {
  it('walks nested folders, reading each directory until readEntries returns empty', async () => {
    const ringFiles = ['r0.png', 'r1.png', 'r2.png', 'r3.png', 'r4.png'].map(fileEntry);
    const root = dirEntry('shapes', [dirEntry('star', [fileEntry('s1.png'), fileEntry('s0.png')]), dirEntry('ring', ringFiles), fileEntry('README.txt')]);
    const got = await collectFromEntries([root]);
    expect(got.name).toBe('shapes');
    expect(got.files.map((f) => f.path)).toEqual([
      'shapes/README.txt',
      'shapes/ring/r0.png',
      'shapes/ring/r1.png',
      'shapes/ring/r2.png',
      'shapes/ring/r3.png',
      'shapes/ring/r4.png',
      'shapes/star/s0.png',
      'shapes/star/s1.png',
    ]);
  });

  it('keeps several dropped class folders side by side under a fallback name', async () => {
    const got = await collectFromEntries([dirEntry('ring', [fileEntry('a.png')]), dirEntry('star', [fileEntry('b.png')])]);
    expect(got.name).toBe(FALLBACK_DATASET_NAME);
    expect(got.files.map((f) => f.path)).toEqual(['ring/a.png', 'star/b.png']);
  });

  it('reports a folder that cannot be read', async () => {
    const broken: DirectoryEntryLike = {
      name: 'x',
      isFile: false,
      isDirectory: true,
      createReader: () => ({ readEntries: (_ok, fail) => fail?.(new Error('permission denied')) }),
    };
    await expect(collectFromEntries([broken])).rejects.toThrow('permission denied');
  });
});

describe('collectFromDrop', () => {
  it('uses plain files when the browser gives no entries', async () => {
    const got = await collectFromDrop({ entries: [], files: [file('cat.png')] });
    expect(got.files.map((f) => f.path)).toEqual(['cat.png']);
  });
});
