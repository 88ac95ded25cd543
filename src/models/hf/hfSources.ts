/**
 * One way to read a Hugging Face model folder, wherever it is: a Hub model id, the URL of a folder in
 * the Hub's layout (".../resolve/main/"), or dropped files. URL reads stream with progress and go
 * through a FileCache (Cache Storage in the browser), so a reload does not download again; a model's
 * size is checked from the safetensors headers alone (HTTP Range) before the weights download.
 */
import type { DatasetFile } from '../../api.ts';
import { EngineError } from '../../errors.ts';
import type { LmModelSource } from '../../api.ts';
import { noCache, type FileCache } from '../../storage/fileCache.ts';
import { parseHfConfig } from './hfConfig.ts';
import { checkFits, estimateHfMemory, type DeviceLimits, type HfMemoryEstimate } from './hfMemory.ts';
import type { HfModelConfig } from './hfTypes.ts';
import { INDEX_FILE, parseWeightIndex, WEIGHTS_FILE, type HfFileReader } from './hfWeights.ts';
import { readSafetensorsHeader, safetensorsHeaderSize, type SafetensorsHeader } from '../../export/safetensorsHeader.ts';

export const HF_ENDPOINT = 'https://huggingface.co';
const HUB_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);


export interface HfDownloadProgress {
  file: string;
  loaded: number;
  /** Bytes expected (Content-Length), null when the server does not say. */
  total: number | null;
  /** 0..1; 1 once the file is complete (with an unknown total it stays 0 until then). */
  fraction: number;
  /** True when the file came from the cache (or from dropped files) without a download. */
  cached?: boolean;
}

export interface HfReaderOptions {
  fetch?: typeof fetch;
  cache?: FileCache;
  onProgress?: (p: HfDownloadProgress) => void;
  /** The Hub's address, for mirrors and tests. */
  endpoint?: string;
  signal?: AbortSignal;
}

export interface HfSourceReader {
  /** Names the folder in messages ("owner/name", the folder URL, or the dropped folder's name). */
  label: string;
  read: HfFileReader;
  /**
   * Bytes [start, end) of a file without reading the rest (an HTTP Range request, a Blob slice);
   * null when the folder has no such file. Fewer bytes come back when the file is shorter.
   */
  readRange?: (file: string, start: number, end: number) => Promise<Uint8Array | null>;
  /** Every cache key of this folder starts with this (for a "forget downloaded model" action). */
  cachePrefix?: string;
}

// ---------------------------------------------------------------------------------------------
// Hub ids and URLs

const ID_SEGMENT = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;
const REVISION = /^[A-Za-z0-9_][A-Za-z0-9_./-]{0,254}$/;

const badId = (input: string, why: string): EngineError =>
  new EngineError(
    'hf-source-invalid',
    `"${input}" is not a Hugging Face model id: ${why}. Use "owner/name" as shown on the model's page (e.g. "HuggingFaceTB/SmolLM2-135M") or paste the page's https://huggingface.co/ URL.`,
  );

function checkIdSegments(input: string, segments: string[]): string {
  if (segments.length === 0 || segments.length > 2) throw badId(input, 'an id has one or two parts separated by "/"');
  for (const s of segments) {
    if (!ID_SEGMENT.test(s)) throw badId(input, `"${s}" may use only letters, digits, "-", "_" and "." (not at either end), at most 96 characters`);
    if (s.includes('--') || s.includes('..')) throw badId(input, `"${s}" contains "--" or ".."`);
    if (s.endsWith('.git')) throw badId(input, `"${s}" ends with ".git"`);
  }
  return segments.join('/');
}

function checkRevision(input: string, revision: string): string {
  if (!REVISION.test(revision) || revision.includes('..') || revision.endsWith('/'))
    throw badId(input, `revision "${revision}" may use only letters, digits, "-", "_", "." and "/"`);
  return revision;
}

/** Path segments of a Hub URL split into id and revision ("/o/n/resolve/main/config.json"). */
function idFromHubPath(input: string, segments: string[]): { id: string; revision?: string } {
  const at = segments.findIndex((s, i) => i > 0 && i <= 2 && (s === 'resolve' || s === 'tree' || s === 'blob'));
  const idParts = at === -1 ? segments : segments.slice(0, at);
  const id = checkIdSegments(input, idParts);
  const rev = at === -1 ? undefined : segments[at + 1];
  return rev ? { id, revision: checkRevision(input, decodeURIComponent(rev)) } : { id };
}

/**
 * A Hub model id from what a person typed: "owner/name", "name", or a pasted
 * https://huggingface.co/owner/name[/tree|resolve/<revision>/...] URL. Throws 'hf-source-invalid'.
 */
export function parseHubId(input: string, endpoint = HF_ENDPOINT): { id: string; revision?: string } {
  const text = input.trim();
  if (text === '') throw badId(input, 'it is empty');
  const withScheme = /^(huggingface\.co|hf\.co)\//i.test(text) ? `https://${text}` : text;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(withScheme)) {
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw badId(input, 'the URL cannot be parsed');
    }
    const endpointHost = safeHost(endpoint);
    if (!HUB_HOSTS.has(url.hostname.toLowerCase()) && url.host !== endpointHost) throw badId(input, `${url.host} is not huggingface.co (use a URL source for other servers)`);
    const segments = url.pathname.split('/').filter(Boolean);
    if (segments[0] === 'models' || segments[0] === 'datasets' || segments[0] === 'spaces') {
      if (segments[0] !== 'models') throw badId(input, `it points at ${segments[0]}, not a model`);
      segments.shift();
    }
    return idFromHubPath(input, segments);
  }
  if (text.includes('://')) throw badId(input, 'the URL cannot be parsed');
  return { id: checkIdSegments(input, text.split('/')) };
}

function safeHost(endpoint: string): string | null {
  try {
    return new URL(endpoint).host;
  } catch {
    return null;
  }
}

const encodePath = (file: string): string => file.split('/').map(encodeURIComponent).join('/');

/** The Hub's download URL of one file: `${endpoint}/${id}/resolve/${revision}/${file}`. */
export function hubFileUrl(id: string, file: string, revision?: string, endpoint = HF_ENDPOINT): string {
  return `${hubFolderUrl(id, revision, endpoint)}${encodePath(file)}`;
}

/** The folder URL of a Hub model (ends with "/"), from an id or a pasted Hub URL. */
export function hubFolderUrl(id: string, revision?: string, endpoint = HF_ENDPOINT): string {
  const parsed = parseHubId(id, endpoint);
  const rev = revision !== undefined ? checkRevision(id, revision) : (parsed.revision ?? 'main');
  return `${endpoint.replace(/\/+$/, '')}/${parsed.id}/resolve/${encodeURIComponent(rev)}/`;
}

/** A folder URL ending in "/"; a pasted Hub model page becomes its resolve/ folder. */
export function normaliseFolderUrl(input: string, endpoint = HF_ENDPOINT): string {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EngineError('hf-source-invalid', `"${input}" is not a URL. Give the http(s) address of the model folder, e.g. https://huggingface.co/owner/name/resolve/main/.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new EngineError('hf-source-invalid', `${text} is not an http(s) URL; give the web address of the model folder, or drop the files instead.`);
  url.hash = '';
  if (HUB_HOSTS.has(url.hostname.toLowerCase()) && !url.pathname.includes('/resolve/')) {
    const { id, revision } = parseHubId(text, endpoint);
    return hubFolderUrl(id, revision, `${url.protocol}//${url.host}`);
  }
  // A pasted file URL (".../config.json") means its folder.
  url.pathname = url.pathname.replace(/\/blob\//, '/resolve/').replace(/\/[^/]+\.(json|safetensors|txt|model)$/i, '/');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Downloads

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

class UrlFolder {
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

// ---------------------------------------------------------------------------------------------
// Dropped files

const normalisePath = (p: string): string => p.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');

function filesReader(files: DatasetFile[], onProgress?: (p: HfDownloadProgress) => void): HfSourceReader {
  const entries = files.map((f) => ({ path: normalisePath(f.path), file: f.file }));
  const configs = entries.filter((e) => e.path === 'config.json' || e.path.endsWith('/config.json'));
  if (configs.length === 0)
    throw new EngineError(
      'hf-config-missing',
      `The dropped files (${entries.length}) contain no config.json. Drop the whole model folder: config.json, model.safetensors (or its index and shards), tokenizer.json and tokenizer_config.json.`,
    );
  if (configs.length > 1)
    throw new EngineError(
      'hf-source-invalid',
      `The dropped files contain ${configs.length} config.json files (${configs
        .slice(0, 4)
        .map((c) => c.path)
        .join(', ')}); drop one model folder at a time.`,
    );
  const root = configs[0]!.path.slice(0, -'config.json'.length); // "" or "folder/"
  const byName = new Map<string, Blob>();
  for (const e of entries) if (e.path.startsWith(root)) byName.set(e.path.slice(root.length), e.file);
  const label = root === '' ? 'the dropped folder' : root.slice(0, -1);
  return {
    label,
    read: async (file) => {
      const blob = byName.get(normalisePath(file));
      if (!blob) return null;
      const bytes = new Uint8Array(await blob.arrayBuffer());
      onProgress?.({ file, loaded: bytes.byteLength, total: bytes.byteLength, fraction: 1, cached: true });
      return bytes;
    },
    readRange: async (file, start, end) => {
      const blob = byName.get(normalisePath(file));
      return blob ? new Uint8Array(await blob.slice(start, end).arrayBuffer()) : null;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The one reader

/** A reader over a model folder from the Hub, a URL or dropped files. Throws 'hf-source-invalid' for bad ids/URLs. */
export function hfReaderForSource(source: LmModelSource, options: HfReaderOptions = {}): HfSourceReader {
  const endpoint = (options.endpoint ?? HF_ENDPOINT).replace(/\/+$/, '');
  switch (source.kind) {
    case 'hub': {
      const parsed = parseHubId(source.id, endpoint);
      const folder = hubFolderUrl(parsed.id, source.revision ?? parsed.revision, endpoint);
      const rev = source.revision ?? parsed.revision ?? 'main';
      const u = new UrlFolder(folder, options);
      return { label: rev === 'main' ? parsed.id : `${parsed.id}@${rev}`, read: u.read, readRange: u.readRange, cachePrefix: folder };
    }
    case 'url': {
      const folder = normaliseFolderUrl(source.url, endpoint);
      const u = new UrlFolder(folder, options);
      return { label: folder.replace(/\/$/, ''), read: u.read, readRange: u.readRange, cachePrefix: folder };
    }
    case 'files':
      return filesReader(source.files, options.onProgress);
    default:
      throw new EngineError('hf-source-invalid', `Unknown model source kind ${JSON.stringify((source as { kind?: unknown }).kind)}.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Size check before the weights download

async function readHeader(reader: HfSourceReader, file: string, where: string): Promise<SafetensorsHeader | null> {
  if (!reader.readRange) {
    const bytes = await reader.read(file);
    return bytes ? readSafetensorsHeader(bytes, where) : null;
  }
  const first8 = await reader.readRange(file, 0, 8);
  if (!first8) return null;
  const size = safetensorsHeaderSize(first8, where);
  const rest = await reader.readRange(file, 8, size);
  if (!rest) return null;
  const head = new Uint8Array(8 + rest.byteLength);
  head.set(first8.subarray(0, 8));
  head.set(rest, 8);
  return readSafetensorsHeader(head, where);
}

function shardFiles(indexBytes: Uint8Array, where: string): string[] {
  return [...parseWeightIndex(indexBytes, where).keys()];
}

/**
 * Sizes the model from config.json and the safetensors headers only (Range requests for URL sources,
 * Blob slices for dropped files), then throws 'model-too-large' via checkFits if it cannot fit.
 * Resolves with the estimate. A plain HfFileReader works too, but reads whole weight files.
 */
export async function checkHfModelFits(source: HfSourceReader | HfFileReader, label: string, limits: DeviceLimits): Promise<HfMemoryEstimate> {
  const reader: HfSourceReader = typeof source === 'function' ? { label, read: source } : source;
  const configBytes = await reader.read('config.json');
  let config: HfModelConfig | undefined;
  if (configBytes) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(configBytes));
    } catch (e) {
      throw new EngineError('hf-config-invalid', `${label}/config.json is not valid JSON (${(e as Error).message}).`);
    }
    config = parseHfConfig(json, `${label}/config.json`);
  }
  const indexBytes = await reader.read(INDEX_FILE);
  const files = indexBytes ? shardFiles(indexBytes, `${label}/${INDEX_FILE}`) : [WEIGHTS_FILE];
  const headers: SafetensorsHeader[] = [];
  for (const file of files) {
    const header = await readHeader(reader, file, `${label}/${file}`);
    if (!header)
      throw indexBytes
        ? new EngineError('hf-weights-missing', `${label}/${file} is listed in ${INDEX_FILE} but is missing; the model folder is incomplete.`)
        : new EngineError('hf-weights-missing', `${label} has neither ${WEIGHTS_FILE} nor ${INDEX_FILE}; only safetensors checkpoints can be loaded (convert pytorch_model.bin with transformers' save_pretrained).`);
    headers.push(header);
  }
  const estimate = estimateHfMemory(headers, config);
  checkFits(estimate, limits);
  return estimate;
}
