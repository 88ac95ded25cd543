/**
 * What the Engine needs from Node: a fetch that also serves file:// URLs from disk (so local model
 * folders load through the same URL path as in the browser), and paths turned into model URLs.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EngineError } from '../errors.ts';

const TYPES: Record<string, string> = { json: 'application/json', bin: 'application/octet-stream', png: 'image/png' };

const isRemote = (s: string): boolean => /^https?:\/\//i.test(s);

/**
 * fetch for the Engine in Node: file:// URLs are read from disk (a missing file rejects with a line
 * that names it, so TF.js never mistakes an error page for weights); http(s) goes to the global fetch.
 */
export const nodeFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith('file:')) return fetch(input, init);
  const path = fileURLToPath(url);
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && path.endsWith('tabtune.json')) return new Response(null, { status: 404 });
    throw new Error(code === 'ENOENT' ? `${path} does not exist` : `${path} could not be read (${code ?? (e as Error).message})`);
  }
  const type = TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
  return new Response(new Uint8Array(body), { status: 200, headers: { 'content-type': type } });
};

/** A model folder, a model.json path, or an http(s)/file URL -> the URL of model.json. */
export function modelUrl(pathOrUrl: string): string {
  if (isRemote(pathOrUrl) || pathOrUrl.startsWith('file:')) return pathOrUrl;
  const abs = resolve(pathOrUrl);
  if (!existsSync(abs)) throw new EngineError('model-not-found', `${pathOrUrl}: no such file or folder.`);
  const file = statSync(abs).isDirectory() ? join(abs, 'model.json') : abs;
  if (!existsSync(file)) throw new EngineError('model-not-found', `${pathOrUrl}: the folder has no model.json.`);
  checkLocalShards(file);
  return pathToFileURL(file).href;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, int8: 1 };

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

/**
 * Checks a local model.json's weight shards before TF.js reads them: every file there, and each
 * group's files together exactly as long as its weights need. Anything odd in the JSON itself is left
 * to the engine, whose checks report it.
 */
export function checkLocalShards(modelJsonPath: string): void {
  let json: { weightsManifest?: { paths?: unknown; weights?: unknown }[] };
  try {
    json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as typeof json;
  } catch {
    return;
  }
  if (!Array.isArray(json?.weightsManifest)) return;
  const dir = dirname(modelJsonPath);
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) continue;
    const files = (group.paths as unknown[]).map((p) => join(dir, String(p)));
    let actual = 0;
    for (const f of files) {
      if (!existsSync(f)) throw new EngineError('model-not-found', `${f}: weight file listed in ${modelJsonPath} is missing.`);
      actual += statSync(f).size;
    }
    let expected = 0;
    for (const w of group.weights as WeightEntry[]) {
      const bytes = BYTES[w.quantization?.dtype ?? w.dtype];
      if (bytes === undefined || !Array.isArray(w.shape)) return; // strings or unknown types: let TF.js judge
      expected += w.shape.reduce((a, d) => a * d, 1) * bytes;
    }
    if (actual !== expected) {
      const what = files.length === 1 ? files[0] : files.join(' + ');
      throw new EngineError(
        'model-invalid',
        `${what}: ${actual} bytes, but ${modelJsonPath} describes ${expected} bytes of weights (truncated or from another model).`,
      );
    }
  }
}
