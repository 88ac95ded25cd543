import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheStorageFileCache, defaultFileCache, memoryFileCache, noCache, type CachePutError } from './fileCache.ts';

const bytes = (...xs: number[]) => new Uint8Array(xs);

/** A minimal stand-in for the Cache Storage global, failing puts past `quota` bytes. */
function fakeCaches(quota = Infinity) {
  const stores = new Map<string, Map<string, ArrayBuffer>>();
  const open = async (name: string) => {
    const store = stores.get(name) ?? new Map<string, ArrayBuffer>();
    stores.set(name, store);
    return {
      match: async (key: string) => (store.has(key) ? new Response(store.get(key)!.slice(0)) : undefined),
      put: async (key: string, res: Response) => {
        const body = await res.arrayBuffer();
        if (body.byteLength > quota) throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
        store.set(key, body);
      },
      keys: async () => [...store.keys()].map((url) => ({ url })),
      delete: async (req: { url: string }) => store.delete(req.url),
    };
  };
  return { open, stores };
}

afterEach(() => vi.unstubAllGlobals());

describe('memoryFileCache', () => {
  it('stores copies, lists, deletes by prefix and reads ranges', async () => {
    const cache = memoryFileCache();
    const b = bytes(1, 2, 3, 4);
    await cache.put('http://a/x', b);
    b[0] = 9;
    await cache.put('http://a/y', bytes(5));
    await cache.put('http://b/z', bytes(6));
    expect(await cache.get('http://a/x')).toEqual(bytes(1, 2, 3, 4));
    expect(await cache.getRange!('http://a/x', 1, 3)).toEqual(bytes(2, 3));
    expect(await cache.list!('http://a/')).toEqual(['http://a/x', 'http://a/y']);
    expect(await cache.delete('http://a/')).toBe(2);
    expect(await cache.get('http://a/x')).toBeNull();
    expect(cache.size).toBe(1);
  });

  it('reports a quota failure instead of throwing', async () => {
    const errors: CachePutError[] = [];
    const cache = memoryFileCache({ quotaBytes: 3, onPutError: (e) => errors.push(e) });
    await expect(cache.put('k', bytes(1, 2, 3, 4))).resolves.toBeUndefined();
    expect(await cache.get('k')).toBeNull();
    expect(errors).toMatchObject([{ key: 'k', bytes: 4, quota: true }]);
  });
});

describe('cacheStorageFileCache', () => {
  it('is a no-op where Cache Storage is missing (Node)', async () => {
    const cache = cacheStorageFileCache();
    await cache.put('http://a/x', bytes(1));
    expect(await cache.get('http://a/x')).toBeNull();
    expect(defaultFileCache()).toBe(noCache);
  });

  it('round-trips through Cache Storage and reports quota errors on put', async () => {
    const fake = fakeCaches(4);
    vi.stubGlobal('caches', fake);
    const errors: CachePutError[] = [];
    const cache = cacheStorageFileCache('test-cache', (e) => errors.push(e));
    await cache.put('http://a/x', bytes(1, 2, 3));
    expect(await cache.get('http://a/x')).toEqual(bytes(1, 2, 3));
    expect(await cache.getRange!('http://a/x', 1, 2)).toEqual(bytes(2));
    expect(await cache.get('http://a/missing')).toBeNull();
    await cache.put('http://a/big', bytes(1, 2, 3, 4, 5));
    expect(errors).toMatchObject([{ key: 'http://a/big', bytes: 5, quota: true }]);
    expect(await cache.list!('http://a/')).toEqual(['http://a/x']);
    expect(await cache.delete('http://a/')).toBe(1);
    expect(fake.stores.get('test-cache')!.size).toBe(0);
    expect(defaultFileCache()).not.toBe(noCache);
  });
});
