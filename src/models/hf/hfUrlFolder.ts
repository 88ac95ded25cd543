import { EngineError } from '../../errors.ts';
import { noCache, type FileCache } from '../../storage/fileCache.ts';
import { encodePath } from './hfHubIds.ts';
import type { HfReaderOptions } from './hfSourceTypes.ts';

const missingKey = (url: string): string => `${url}${url.includes('?') ? '&' : '?'}tabtune-missing=1`;

const looksLikeHtml = (bytes: Uint8Array): boolean => {
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
};

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === length) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const isAbort = (e: unknown): boolean => (e as { name?: unknown } | null)?.name === 'AbortError';

function networkError(url: string, e: unknown): EngineError {
  const cause = (e as { cause?: { code?: string; message?: string } } | null)?.cause;
  const detail = cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
  return new EngineError(
    'hf-download-failed',
    `Could not download ${url} (${detail}). Check the address and your connection; a server other than huggingface.co must also allow cross-origin requests (CORS).`,
  );
}

/**
 * A model folder at a URL: files stream with progress and go through a FileCache (Cache Storage in
 * the browser), so a reload does not download again; missing files are remembered as missing.
 */
export class HfUrlFolder {
  private readonly doFetch: typeof fetch;
  private readonly cache: FileCache;

  constructor(
    readonly folder: string,
    private readonly options: HfReaderOptions,
  ) {
    const f = options.fetch ?? globalThis.fetch;
    this.doFetch = ((input: RequestInfo | URL, init?: RequestInit) => f(input, init)) as typeof fetch;
    this.cache = options.cache ?? noCache;
  }

  url(file: string): string {
    if (file === '' || file.split('/').some((s) => s === '' || s === '.' || s === '..'))
      throw new EngineError('hf-source-invalid', `"${file}" is not a file name inside ${this.folder}.`);
    return `${this.folder}${encodePath(file)}`;
  }

  private async cacheGet(key: string): Promise<Uint8Array | null> {
    try {
      return await this.cache.get(key);
    } catch {
      return null;
    }
  }

  private async cachePut(key: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.cache.put(key, bytes);
    } catch {
      // caching is best effort; FileCache implementations report their own failures
    }
  }

  private async request(url: string, headers?: Record<string, string>): Promise<Response> {
    try {
      // Range requests bypass the HTTP cache: a cached sparse entry can come back truncated when a
      // full request follows (seen in Chromium with vite preview). Our own FileCache does the caching.
      return await this.doFetch(url, { headers, signal: this.options.signal, ...(headers?.Range ? { cache: 'no-store' as const } : {}) });
    } catch (e) {
      if (isAbort(e)) throw e;
      throw networkError(url, e);
    }
  }

  /** Throws for statuses and bodies that are not the file; null for 404/410. */
  private async check(res: Response, url: string): Promise<Response | null> {
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel().catch(() => {});
      return null;
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel().catch(() => {});
      throw new EngineError(
        'hf-download-forbidden',
        `${url} answered ${res.status} ${res.statusText}: the model does not exist, or it is private or gated. Tabtune cannot sign in to Hugging Face, so gated and private models (which need an access token) are not supported here; check the id, or download the files yourself and drop the folder.`,
      );
    }
    if (!res.ok && res.status !== 206) {
      await res.body?.cancel().catch(() => {});
      throw new EngineError('hf-download-failed', `${url} answered HTTP ${res.status} ${res.statusText}. Try again later, or check the address.`);
    }
    if ((res.headers.get('content-type') ?? '').toLowerCase().includes('text/html')) {
      await res.body?.cancel().catch(() => {});
      // Single-page servers (vite preview, static hosts) answer a missing file with their index.html:
      // for an optional file that means "missing". config.json is never optional: there it means a wrong address.
      if (!/\/config\.json$/.test(new URL(url).pathname)) return null;
      throw htmlError(url);
    }
    return res;
  }

  /** The body, streamed with progress events. */
  private async body(res: Response, file: string, url: string, progress: boolean): Promise<Uint8Array> {
    const encoding = (res.headers.get('content-encoding') ?? 'identity').toLowerCase();
    const lengthHeader = res.headers.get('content-length');
    // A compressed body's Content-Length counts compressed bytes, not the bytes we will see.
    const total = encoding === 'identity' && lengthHeader && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
    const emit = progress ? this.options.onProgress : undefined;
    emit?.({ file, loaded: 0, total, fraction: 0 });
    let loaded = 0;
    let bytes: Uint8Array;
    try {
      if (!res.body) {
        bytes = new Uint8Array(await res.arrayBuffer());
        loaded = bytes.byteLength;
      } else {
        const reader = res.body.getReader();
        let out: Uint8Array | null = total !== null ? new Uint8Array(total) : null;
        const chunks: Uint8Array[] = [];
        let lastEmit = Date.now();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (out && loaded + value.byteLength <= out.byteLength) out.set(value, loaded);
          else {
            if (out) chunks.push(out.subarray(0, loaded));
            out = null;
            chunks.push(value);
          }
          loaded += value.byteLength;
          const now = Date.now();
          if (emit && now - lastEmit >= 100) {
            lastEmit = now;
            emit({ file, loaded, total, fraction: total ? Math.min(1, loaded / total) : 0 });
          }
        }
        bytes = out ? out.subarray(0, loaded) : concat(chunks, loaded);
      }
    } catch (e) {
      if (isAbort(e)) throw e;
      throw networkError(url, e);
    }
    if (total !== null && loaded < total)
      throw new EngineError('hf-download-failed', `The download of ${url} ended after ${loaded} of ${total} bytes. Try again.`);
    if (!/\.html?$/i.test(file) && looksLikeHtml(bytes)) throw htmlError(url);
    emit?.({ file, loaded, total, fraction: 1 });
    return bytes;
  }

  read = async (file: string): Promise<Uint8Array | null> => {
    const url = this.url(file);
    const cached = await this.cacheGet(url);
    if (cached) {
      this.options.onProgress?.({ file, loaded: cached.byteLength, total: cached.byteLength, fraction: 1, cached: true });
      return cached;
    }
    if (await this.cacheGet(missingKey(url))) return null;
    const res = await this.check(await this.request(url), url);
    if (!res) {
      await this.cachePut(missingKey(url), new Uint8Array(0));
      return null;
    }
    let bytes: Uint8Array;
    try {
      bytes = await this.body(res, file, url, true);
    } catch (e) {
      // A connection cut mid-file is worth one more try before the user hears about it.
      if (!(e instanceof EngineError) || e.code !== 'hf-download-failed') throw e;
      const again = await this.check(await this.request(url), url);
      if (!again) throw e;
      bytes = await this.body(again, file, url, true);
    }
    await this.cachePut(url, bytes);
    return bytes;
  };

  readRange = async (file: string, start: number, end: number): Promise<Uint8Array | null> => {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start)
      throw new EngineError('internal', `readRange(${file}, ${start}, ${end}): the range is invalid.`);
    const url = this.url(file);
    const cached = this.cache.getRange ? await this.cache.getRange(url, start, end).catch(() => null) : await this.cacheGet(url);
    if (cached) return this.cache.getRange ? cached : cached.slice(start, end);
    if (await this.cacheGet(missingKey(url))) return null;
    if (end === start) return new Uint8Array(0);
    const raw = await this.request(url, { Range: `bytes=${start}-${end - 1}` });
    if (raw.status === 416) {
      await raw.body?.cancel().catch(() => {});
      return new Uint8Array(0); // the file is shorter than `start`
    }
    const res = await this.check(raw, url);
    if (!res) {
      await this.cachePut(missingKey(url), new Uint8Array(0));
      return null;
    }
    if (res.status === 206) {
      const bytes = await this.body(res, file, url, false);
      return bytes.subarray(0, end - start);
    }
    // 200: the server ignored Range and sends the whole file; keep it, since it is downloaded anyway.
    const whole = await this.body(res, file, url, true);
    await this.cachePut(url, whole);
    return whole.slice(start, end);
  };
}

const htmlError = (url: string): EngineError =>
  new EngineError(
    'hf-download-failed',
    `${url} answered with a web page instead of the model file; the address is probably not a model folder (a Hub folder URL ends in /resolve/main/). Check the URL.`,
  );
