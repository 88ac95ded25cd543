/**
 * Hugging Face Hub model ids and folder URLs: what a person typed or pasted, checked and turned into
 * the Hub's download addresses. Throws 'hf-source-invalid' for anything that is not one.
 */
import { EngineError } from '../../errors.ts';

export const HF_ENDPOINT = 'https://huggingface.co';
const HUB_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);

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

/** A file path inside a folder, each segment URL-encoded. */
export const encodePath = (file: string): string => file.split('/').map(encodeURIComponent).join('/');

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
