import { describe, expect, it } from 'vitest';
import { fetchSampleDataset, mapWithLimit, parseManifest } from './sampleDataset.ts';

describe('mapWithLimit', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapWithLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running -= 1;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });
});

describe('parseManifest', () => {
  it('rejects malformed manifests with a sentence', () => {
    expect(() => parseManifest({ name: 'x', files: [1] })).toThrow(/malformed/);
    expect(parseManifest({ name: 'x', files: ['a/b.png'] })).toEqual({ name: 'x', files: ['a/b.png'] });
  });
});

describe('fetchSampleDataset', () => {
  const manifestUrl = 'http://host/app/datasets/shapes-sample.json';

  it('resolves files from beside the manifest and keeps their dataset-relative paths', async () => {
    const fetched: string[] = [];
    const fakeFetch = (async (input: RequestInfo | URL) => {
      const url = String(input);
      fetched.push(url);
      if (url === manifestUrl) return Response.json({ name: 'shapes-sample', files: ['shapes-sample/ring/ring-000.png', 'shapes-sample/star/star-000.png'] });
      return new Response(new Blob([url], { type: 'image/png' }));
    }) as typeof fetch;
    const progress: string[] = [];
    const result = await fetchSampleDataset(manifestUrl, fakeFetch, (d, t) => progress.push(`${d}/${t}`));
    expect(result.name).toBe('shapes-sample');
    expect(result.files.map((f) => f.path)).toEqual(['shapes-sample/ring/ring-000.png', 'shapes-sample/star/star-000.png']);
    expect(fetched).toContain('http://host/app/datasets/shapes-sample/ring/ring-000.png');
    expect(progress.at(-1)).toBe('2/2');
  });

  it('names the file that failed to download', async () => {
    const fakeFetch = (async (input: RequestInfo | URL) =>
      String(input) === manifestUrl ? Response.json({ name: 's', files: ['a/x.png'] }) : new Response('', { status: 404 })) as typeof fetch;
    await expect(fetchSampleDataset(manifestUrl, fakeFetch, () => {})).rejects.toThrow(/a\/x\.png could not be downloaded \(HTTP 404\)/);
  });
});
