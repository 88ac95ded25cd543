/**
 * What the Engine needs from Node: a fetch that also serves file:// URLs from disk (so local model
 * folders load through the same URL path as in the browser), and paths turned into model URLs.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EngineError } from '../errors.ts';

const TYPES: Record<string, string> = { json: 'application/json', bin: 'application/octet-stream', png: 'image/png' };

const isRemote = (s: string): boolean => /^https?:\/\//i.test(s);

/**
 * fetch for the Engine in Node: file:// URLs are read from disk (a missing file answers 404, which the
 * engine's model loader turns into a message naming it); http(s) goes to the global fetch.
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
    // A missing file is a 404, as a server would answer: the engine's loader names it in its message.
    if (code === 'ENOENT') return new Response(null, { status: 404 });
    throw new Error(
      code === 'ENOENT' ? `${path} does not exist` : `${path} could not be read (${code ?? (e as Error).message})`, { cause: e });
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
  return pathToFileURL(file).href;
}
