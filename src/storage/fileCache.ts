/**
 * A byte cache keyed by URL, so a model downloaded once is not downloaded again after a reload.
 * This folder is the only place in src/ that touches browser storage; everything else takes a
 * FileCache. Caching is best effort: a failed put (quota, private mode) is reported, never thrown,
 * so the download it came from still succeeds.
 */

export interface FileCache {
  /** The stored bytes, or null when nothing is stored under `key` (or the store cannot be read). */
  get(key: string): Promise<Uint8Array | null>;
  /** Stores `bytes` under `key`. Never rejects: failures go to the cache's onPutError. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Bytes [start, end) of a stored entry without reading all of it; null when not stored. */
  getRange?(key: string, start: number, end: number): Promise<Uint8Array | null>;
  /** Removes every entry whose key starts with `prefix`; resolves with how many were removed. */
  delete(prefix: string): Promise<number>;
  /** Keys stored under `prefix` (all keys without one). */
  list?(prefix?: string): Promise<string[]>;
}

export interface CachePutError {
  key: string;
  bytes: number;
  /** True when the browser refused for lack of space (QuotaExceededError). */
  quota: boolean;
  error: unknown;
}

export type CachePutErrorHandler = (error: CachePutError) => void;

export const DEFAULT_CACHE_NAME = 'tabtune-hf-v1';

export function isQuotaError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  const code = (error as { code?: unknown } | null)?.code;
  // 22 / 1014 are the legacy DOMException codes of QuotaExceededError (Chrome, Safari / Firefox).
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014;
}

/** A cache that stores nothing. */
export const noCache: FileCache = {
  get: async () => null,
  put: async () => {},
  delete: async () => 0,
  list: async () => [],
};

export interface MemoryFileCacheOptions {
  /** Pretend the store holds at most this many bytes: a put past it fails as a quota error (for tests). */
  quotaBytes?: number;
  onPutError?: CachePutErrorHandler;
}

/** An in-memory cache for Node and tests. Stored bytes are copied in and out. */
export function memoryFileCache(options: MemoryFileCacheOptions = {}): FileCache & { readonly size: number } {
  const store = new Map<string, Uint8Array>();
  const used = (): number => [...store.values()].reduce((a, b) => a + b.byteLength, 0);
  return {
    get size() {
      return store.size;
    },
    async get(key) {
      const bytes = store.get(key);
      return bytes ? bytes.slice() : null;
    },
    async getRange(key, start, end) {
      const bytes = store.get(key);
      return bytes ? bytes.slice(start, end) : null;
    },
    async put(key, bytes) {
      const previous = store.get(key)?.byteLength ?? 0;
      if (options.quotaBytes !== undefined && used() - previous + bytes.byteLength > options.quotaBytes) {
        const error = Object.assign(new Error(`The memory cache quota of ${options.quotaBytes} bytes is exceeded.`), { name: 'QuotaExceededError' });
        options.onPutError?.({ key, bytes: bytes.byteLength, quota: true, error });
        return;
      }
      store.set(key, bytes.slice());
    },
    async delete(prefix) {
      let removed = 0;
      for (const key of [...store.keys()]) if (key.startsWith(prefix) && store.delete(key)) removed++;
      return removed;
    },
    async list(prefix = '') {
      return [...store.keys()].filter((k) => k.startsWith(prefix));
    },
  };
}

/** Whether this context has Cache Storage (a Worker or page on https/localhost; not Node). */
export function hasCacheStorage(): boolean {
  return typeof caches !== 'undefined' && typeof Response !== 'undefined';
}

/**
 * Browser Cache Storage (the `caches` global, available in Workers). Keys must be http(s) URLs.
 * Where Cache Storage is missing (Node, insecure contexts) every call is a harmless no-op.
 */
export function cacheStorageFileCache(name = DEFAULT_CACHE_NAME, onPutError?: CachePutErrorHandler): FileCache {
  let opened: Promise<Cache> | null = null;
  const open = (): Promise<Cache> | null => {
    if (!hasCacheStorage()) return null;
    opened ??= caches.open(name).catch((e: unknown) => {
      opened = null;
      throw e;
    });
    return opened;
  };
  return {
    async get(key) {
      try {
        const cache = await open();
        const res = cache ? await cache.match(key) : undefined;
        return res ? new Uint8Array(await res.arrayBuffer()) : null;
      } catch {
        return null; // an unreadable entry is a miss: the file is downloaded again
      }
    },
    async getRange(key, start, end) {
      try {
        const cache = await open();
        const res = cache ? await cache.match(key) : undefined;
        // A Blob from Cache Storage is backed by disk: slicing it does not read the whole file.
        return res ? new Uint8Array(await (await res.blob()).slice(start, end).arrayBuffer()) : null;
      } catch {
        return null;
      }
    },
    async put(key, bytes) {
      try {
        const cache = await open();
        if (!cache) return;
        // Copy into a plain ArrayBuffer: Response wants one, and a view may cover a larger buffer.
        const body = bytes.slice().buffer;
        await cache.put(key, new Response(body, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) } }));
      } catch (error) {
        onPutError?.({ key, bytes: bytes.byteLength, quota: isQuotaError(error), error });
      }
    },
    async delete(prefix) {
      try {
        const cache = await open();
        if (!cache) return 0;
        let removed = 0;
        for (const req of await cache.keys()) if (req.url.startsWith(prefix) && (await cache.delete(req))) removed++;
        return removed;
      } catch {
        return 0;
      }
    },
    async list(prefix = '') {
      try {
        const cache = await open();
        if (!cache) return [];
        return (await cache.keys()).map((r) => r.url).filter((u) => u.startsWith(prefix));
      } catch {
        return [];
      }
    },
  };
}

/** Cache Storage where there is one, otherwise no caching. */
export function defaultFileCache(onPutError?: CachePutErrorHandler): FileCache {
  return hasCacheStorage() ? cacheStorageFileCache(DEFAULT_CACHE_NAME, onPutError) : noCache;
}
