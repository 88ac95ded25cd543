import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../errors.ts';
import { memoryFileCache, type CachePutError } from '../../storage/fileCache.ts';
import { serveFolder } from '../../testing/serveFolder.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';
import { checkHfModelFits, hfReaderForSource, hubFileUrl, normaliseFolderUrl, parseHubId, type HfDownloadProgress } from './hfSources.ts';
import { fixtureBytes, fixturePath } from './hfTestFixtures.ts';

const FILES = ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];
const base = fileURLToPath(fixturePath('tiny-llama', 'base'));
const weightsSize = statSync(join(base, 'model.safetensors')).size;

/** A Range-aware server over a folder, counting requests and body bytes sent; some paths misbehave on purpose. */
async function rangeServer(root: string): Promise<{ url: string; requests: string[]; bytesSent: () => number; close: () => Promise<void> }> {
  const requests: string[] = [];
  let sent = 0;
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(`${req.headers.range ?? 'GET'} ${path}`);
    if (path.startsWith('/broken/')) return void res.writeHead(500, 'Internal Server Error').end('boom');
    if (path.startsWith('/gated/')) return void res.writeHead(401, 'Unauthorized').end('{"error":"Access to model is restricted"}');
    if (path.startsWith('/spa/')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>app</body></html>');
    if (path.startsWith('/sniff/')) return void res.writeHead(200).end('<!DOCTYPE html><html></html>');
    let body: Buffer;
    try {
      body = await readFile(join(root, normalize(path).replace(/^(\.\.[/\\])+/, '')));
    } catch {
      return void res.writeHead(404).end('not found');
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      const end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
      if (start >= body.length) return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      const part = body.subarray(start, end + 1);
      sent += part.length;
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': String(part.length), 'accept-ranges': 'bytes' });
      return void res.end(part);
    }
    sent += body.length;
    res.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, requests, bytesSent: () => sent, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function countingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => {
      urls.push(String(input));
      return fetch(input, init);
    }) as typeof fetch,
  };
}

async function engineError(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected an EngineError');
}

let tmp: string;
let folderServer: { url: string; close: () => Promise<void> };
let endpoint: string; // serveFolder: no Range support
let ranged: Awaited<ReturnType<typeof rangeServer>>;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tabtune-hf-'));
  cpSync(base, join(tmp, 'test-org/tiny-llama/resolve/main'), { recursive: true });
  folderServer = await serveFolder(tmp);
  endpoint = folderServer.url.replace(/\/$/, '');
  ranged = await rangeServer(tmp);
});

afterAll(async () => {
  await folderServer.close();
  await ranged.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('hub ids and URLs', () => {
  it('builds resolve URLs and accepts pasted Hub URLs', () => {
    expect(hubFileUrl('HuggingFaceTB/SmolLM2-135M', 'config.json')).toBe('https://huggingface.co/HuggingFaceTB/SmolLM2-135M/resolve/main/config.json');
    expect(hubFileUrl('gpt2', 'config.json', 'v1.0', 'http://x:1/')).toBe('http://x:1/gpt2/resolve/v1.0/config.json');
    expect(hubFileUrl('o/n', 'a.json', 'refs/pr/1')).toBe('https://huggingface.co/o/n/resolve/refs%2Fpr%2F1/a.json');
    expect(parseHubId('https://huggingface.co/HuggingFaceTB/SmolLM2-135M')).toEqual({ id: 'HuggingFaceTB/SmolLM2-135M' });
    expect(parseHubId(' huggingface.co/o/n/tree/dev ')).toEqual({ id: 'o/n', revision: 'dev' });
    expect(parseHubId('https://huggingface.co/o/n/resolve/main/')).toEqual({ id: 'o/n', revision: 'main' });
    expect(parseHubId('https://huggingface.co/gpt2/resolve/main/config.json')).toEqual({ id: 'gpt2', revision: 'main' });
    expect(hubFileUrl('https://huggingface.co/o/n/tree/dev', 'x.json')).toBe('https://huggingface.co/o/n/resolve/dev/x.json');
    expect(normaliseFolderUrl('https://huggingface.co/o/n')).toBe('https://huggingface.co/o/n/resolve/main/');
    expect(normaliseFolderUrl('https://example.com/m/config.json')).toBe('https://example.com/m/');
    expect(normaliseFolderUrl('https://example.com/m')).toBe('https://example.com/m/');
  });

  it('rejects bad ids with a clear sentence', () => {
    for (const bad of ['', 'a/b/c', 'owner/na me', '../etc', 'o/-n', 'o/n--x', 'o/n.git', 'https://evil.com/o/n', 'https://huggingface.co/datasets/o/n', 'o/n?x']) {
      expect(() => parseHubId(bad), bad).toThrow(EngineError);
      try {
        parseHubId(bad);
      } catch (e) {
        expect((e as EngineError).code).toBe('hf-source-invalid');
        expect((e as EngineError).message).toMatch(/is not a Hugging Face model id: .*owner\/name/);
      }
    }
    expect(() => hfReaderForSource({ kind: 'hub', id: 'bad id' })).toThrow(/"bad id" is not a Hugging Face model id/);
    expect(() => hfReaderForSource({ kind: 'url', url: 'ftp://x/y' })).toThrow(/not an http\(s\) URL/);
    expect(() => hfReaderForSource({ kind: 'url', url: 'not a url' })).toThrow(/is not a URL/);
  });
});

describe('hfReaderForSource over HTTP', () => {
  it('reads every file of a hub folder with progress, and a second reader on the same cache makes no request', async () => {
    const cache = memoryFileCache();
    const counted = countingFetch();
    const events: HfDownloadProgress[] = [];
    const reader = hfReaderForSource({ kind: 'hub', id: 'test-org/tiny-llama' }, { endpoint, cache, fetch: counted.fetch, onProgress: (p) => events.push(p) });
    expect(reader.label).toBe('test-org/tiny-llama');
    for (const file of FILES) expect(await reader.read(file), file).toEqual(fixtureBytes('tiny-llama', `base/${file}`));
    expect(counted.urls).toHaveLength(FILES.length);
    expect(counted.urls[0]).toBe(`${endpoint}/test-org/tiny-llama/resolve/main/config.json`);
    const weights = events.filter((e) => e.file === 'model.safetensors');
    // serveFolder answers chunked, without Content-Length: the total is unknown until the end.
    expect(weights[0]).toMatchObject({ loaded: 0, total: null, fraction: 0 });
    expect(weights.at(-1)).toEqual({ file: 'model.safetensors', loaded: weightsSize, total: null, fraction: 1 });

    // A missing optional file is null, not an error; the miss is remembered too.
    expect(await reader.read('model.safetensors.index.json')).toBeNull();
    expect(await reader.read('model.safetensors.index.json')).toBeNull();
    expect(counted.urls).toHaveLength(FILES.length + 1);

    const again = countingFetch();
    const cachedEvents: HfDownloadProgress[] = [];
    const reader2 = hfReaderForSource({ kind: 'hub', id: 'test-org/tiny-llama' }, { endpoint, cache, fetch: again.fetch, onProgress: (p) => cachedEvents.push(p) });
    for (const file of FILES) expect(await reader2.read(file)).toEqual(fixtureBytes('tiny-llama', `base/${file}`));
    expect(await reader2.read('model.safetensors.index.json')).toBeNull();
    expect(again.urls).toEqual([]);
    expect(cachedEvents.find((e) => e.file === 'model.safetensors')).toMatchObject({ fraction: 1, cached: true });
    expect(await cache.list!(reader.cachePrefix)).toHaveLength(FILES.length + 1);
  });

  it('reports progress against Content-Length', async () => {
    const events: HfDownloadProgress[] = [];
    const reader = hfReaderForSource({ kind: 'hub', id: 'test-org/tiny-llama' }, { endpoint: ranged.url, onProgress: (p) => events.push(p) });
    await reader.read('model.safetensors');
    expect(events[0]).toEqual({ file: 'model.safetensors', loaded: 0, total: weightsSize, fraction: 0 });
    expect(events.at(-1)).toEqual({ file: 'model.safetensors', loaded: weightsSize, total: weightsSize, fraction: 1 });
    expect(events.every((e, i) => i === 0 || (e.loaded >= events[i - 1]!.loaded && e.fraction <= 1))).toBe(true);
  });

  it('loads the model end to end from a url source', async () => {
    const reader = hfReaderForSource({ kind: 'url', url: `${endpoint}/test-org/tiny-llama/resolve/main` });
    expect(reader.label).toBe(`${endpoint}/test-org/tiny-llama/resolve/main`);
    const lm = await loadHfCausalLm(reader.read, reader.label);
    expect(lm.weights.size).toBeGreaterThan(0);
    disposeHfCausalLm(lm);
  });

  it('still succeeds when the cache is full, and reports the quota error', async () => {
    const errors: CachePutError[] = [];
    const cache = memoryFileCache({ quotaBytes: 10_000, onPutError: (e) => errors.push(e) });
    const reader = hfReaderForSource({ kind: 'hub', id: 'test-org/tiny-llama' }, { endpoint, cache });
    expect((await reader.read('model.safetensors'))!.byteLength).toBe(weightsSize);
    expect(errors).toMatchObject([{ quota: true, bytes: weightsSize }]);
    expect(await cache.get(hubFileUrl('test-org/tiny-llama', 'model.safetensors', 'main', endpoint))).toBeNull();
  });

  it('names the URL for a 500, an HTML page, a gated model and a refused connection', async () => {
    const at = (prefix: string) => hfReaderForSource({ kind: 'url', url: `${ranged.url}/${prefix}/m/` });
    let e = await engineError(at('broken').read('config.json'));
    expect(e.code).toBe('hf-download-failed');
    expect(e.message).toContain(`${ranged.url}/broken/m/config.json answered HTTP 500`);
    e = await engineError(at('spa').read('config.json'));
    expect(e.message).toContain(`${ranged.url}/spa/m/config.json answered with a web page`);
    e = await engineError(at('sniff').read('config.json'));
    expect(e.message).toContain('answered with a web page');
    e = await engineError(at('gated').read('config.json'));
    expect(e.code).toBe('hf-download-forbidden');
    expect(e.message).toMatch(/gated and private models \(which need an access token\) are not supported here/);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    e = await engineError(hfReaderForSource({ kind: 'hub', id: 'o/n' }, { endpoint: `http://127.0.0.1:${port}` }).read('config.json'));
    expect(e.code).toBe('hf-download-failed');
    expect(e.message).toContain(`Could not download http://127.0.0.1:${port}/o/n/resolve/main/config.json (ECONNREFUSED)`);
  });
});

describe('dropped files', () => {
  const dropped = (prefix: string) => FILES.map((f) => ({ path: `${prefix}${f}`, file: new Blob([fixtureBytes('tiny-llama', `base/${f}`).slice()]) }));

  it('finds the folder by config.json and reads files beside it', async () => {
    const reader = hfReaderForSource({ kind: 'files', files: [...dropped('mymodel/'), { path: 'other/notes.txt', file: new Blob(['x']) }] });
    expect(reader.label).toBe('mymodel');
    expect(await reader.read('tokenizer.json')).toEqual(fixtureBytes('tiny-llama', 'base/tokenizer.json'));
    expect(await reader.read('model.safetensors.index.json')).toBeNull();
    expect(await reader.readRange!('model.safetensors', 0, 8)).toEqual(fixtureBytes('tiny-llama', 'base/model.safetensors').subarray(0, 8));
    const lm = await loadHfCausalLm(reader.read, reader.label);
    expect(lm.weights.size).toBeGreaterThan(0);
    disposeHfCausalLm(lm);
    expect(hfReaderForSource({ kind: 'files', files: dropped('') }).label).toBe('the dropped folder');
  });

  it('refuses no or several config.json', () => {
    expect(() => hfReaderForSource({ kind: 'files', files: [{ path: 'm/model.safetensors', file: new Blob([]) }] })).toThrow(/contain no config\.json/);
    expect(() => hfReaderForSource({ kind: 'files', files: [...dropped('a/'), ...dropped('b/')] })).toThrow(/2 config\.json files \(a\/config\.json, b\/config\.json\); drop one model folder at a time/);
  });
});

describe('checkHfModelFits', () => {
  it('sizes the model from Range requests of the header only', async () => {
    const before = ranged.bytesSent();
    const start = ranged.requests.length;
    const reader = hfReaderForSource({ kind: 'hub', id: 'test-org/tiny-llama' }, { endpoint: ranged.url });
    const estimate = await checkHfModelFits(reader, reader.label, { maxBufferSize: 1e9, deviceMemory: 8 });
    expect(estimate.tensorCount).toBeGreaterThan(0);
    const requests = ranged.requests.slice(start);
    expect(requests.filter((r) => r.startsWith('bytes='))).toEqual([
      'bytes=0-7 /test-org/tiny-llama/resolve/main/model.safetensors',
      expect.stringMatching(/^bytes=8-\d+ \/test-org\/tiny-llama\/resolve\/main\/model\.safetensors$/),
    ]);
    const weightBytes = ranged.bytesSent() - before - fixtureBytes('tiny-llama', 'base/config.json').byteLength;
    expect(weightBytes).toBeLessThan(weightsSize / 10);

    const e = await engineError(checkHfModelFits(reader, reader.label, { maxBufferSize: 1000 }));
    expect(e.code).toBe('model-too-large');
    expect(e.message).toMatch(/^The tensor "model\.layers\.0\.mlp\.down_proj\.weight" needs 8\.2 kB as float32, but this GPU allows at most 1\.0 kB per buffer\./);
    // The [300, 32] tables exceed an 8 KB buffer too, but they load in row chunks: not a refusal.
    expect(await checkHfModelFits(reader, reader.label, { maxStorageBufferBindingSize: 8192 })).toMatchObject({ largestTableBytes: 38400, largestTensorBytes: 8192 });
  });

  it('falls back to the whole file when the server ignores Range, and caches it', async () => {
    const cache = memoryFileCache();
    const counted = countingFetch();
    const reader = hfReaderForSource({ kind: 'hub', id: 'test-org/tiny-llama' }, { endpoint, cache, fetch: counted.fetch });
    const estimate = await checkHfModelFits(reader, reader.label, {});
    expect(estimate.totalBytes).toBeGreaterThan(0);
    expect(await cache.get(hubFileUrl('test-org/tiny-llama', 'model.safetensors', 'main', endpoint))).not.toBeNull();
    const n = counted.urls.length;
    await checkHfModelFits(reader, reader.label, {});
    expect(await reader.read('model.safetensors')).not.toBeNull();
    expect(counted.urls.length).toBe(n); // all from the cache now
  });

  it('works on dropped files and plain readers', async () => {
    const files = FILES.map((f) => ({ path: `m/${f}`, file: new Blob([fixtureBytes('tiny-llama', `base/${f}`).slice()]) }));
    const reader = hfReaderForSource({ kind: 'files', files });
    const a = await checkHfModelFits(reader, reader.label, {});
    const b = await checkHfModelFits(reader.read, reader.label, {});
    expect(a).toEqual(b);
    await expect(checkHfModelFits(reader, reader.label, { deviceMemory: 1e-9 })).rejects.toMatchObject({ code: 'model-too-large' });
    const noWeights = hfReaderForSource({ kind: 'files', files: files.filter((f) => !f.path.endsWith('.safetensors')) });
    await expect(checkHfModelFits(noWeights, noWeights.label, {})).rejects.toMatchObject({ code: 'hf-weights-missing' });
  });
});
