import { describe, expect, it } from 'vitest';
import type { DatasetFile } from '../../../src/index.ts';
import { DatasetHolder } from './heldDataset.ts';

function fakeUrls() {
  let n = 0;
  const live = new Set<string>();
  return {
    live,
    create: () => {
      const url = `blob:${++n}`;
      live.add(url);
      return url;
    },
    revoke: (url: string) => void live.delete(url),
  };
}

describe('DatasetHolder', () => {
  it('revokes the previous dataset URLs on replace, but reuses those of the same Blobs', () => {
    const urls = fakeUrls();
    const holder = new DatasetHolder(urls);
    const a: DatasetFile = { path: 'd/x/a.png', file: new Blob(['a']) };
    const b: DatasetFile = { path: 'd/x/b.png', file: new Blob(['b']) };

    const first = holder.thumbnailUrls(new Map([['x', [a, b]]]));
    holder.replace({ name: 'd', files: [a, b], urlByBlob: first.urlByBlob });
    expect(urls.live.size).toBe(2);

    // Same files again (another split): same URLs, nothing revoked or created.
    const again = holder.thumbnailUrls(new Map([['x', [a, b]]]));
    expect(again.thumbnails).toEqual(first.thumbnails);
    holder.replace({ name: 'd', files: [a, b], urlByBlob: again.urlByBlob });
    expect(urls.live.size).toBe(2);

    // A different dataset: the old URLs go.
    const c: DatasetFile = { path: 'e/y/c.png', file: new Blob(['c']) };
    const next = holder.thumbnailUrls(new Map([['y', [c]]]));
    holder.replace({ name: 'e', files: [c], urlByBlob: next.urlByBlob });
    expect([...urls.live]).toEqual(next.thumbnails['y']);
    expect(holder.current()?.name).toBe('e');
  });
});
