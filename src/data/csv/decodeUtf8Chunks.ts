import { EngineError } from '../../errors.ts';

/**
 * What a CSV can be read from. Blob/File is the browser and worker case; strings, bytes and iterables
 * of either are for Node and tests. Everything goes through the same byte path, so byte offsets,
 * UTF-8 checks and progress behave the same everywhere.
 */
export type CsvSource =
  | string
  | Blob
  | ArrayBuffer
  | Uint8Array
  | Iterable<string | Uint8Array>
  | AsyncIterable<string | Uint8Array>;

export interface TextChunk {
  text: string;
  /** Bytes consumed so far (including this chunk). */
  bytes: number;
  totalBytes: number | null;
}

export const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Bytes of the source in pieces of about `chunkBytes`; Blobs are read slice by slice, never whole. */
async function* byteChunks(source: CsvSource, chunkBytes: number): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string') source = new TextEncoder().encode(source);
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (source instanceof Uint8Array) {
    for (let off = 0; off < source.length; off += chunkBytes) yield source.subarray(off, off + chunkBytes);
    return;
  }
  if (source instanceof Blob) {
    for (let off = 0; off < source.size; off += chunkBytes) {
      yield new Uint8Array(await source.slice(off, off + chunkBytes).arrayBuffer());
    }
    return;
  }
  const encoder = new TextEncoder();
  for await (const piece of source as AsyncIterable<string | Uint8Array>) {
    yield typeof piece === 'string' ? encoder.encode(piece) : piece;
  }
}

export function totalBytesOf(source: CsvSource): number | null {
  if (typeof source === 'string') return utf8Length(source);
  if (source instanceof ArrayBuffer) return source.byteLength;
  if (source instanceof Uint8Array) return source.length;
  if (source instanceof Blob) return source.size;
  return null;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Index of the first byte of the first invalid UTF-8 sequence in bytes[start, end), or -1.
 * Follows the WHATWG decoder: overlong forms, surrogates and code points above U+10FFFF are invalid,
 * and so is a sequence cut off by `end`.
 */
export function findInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    if (k >= end) return false;
    const b = bytes[k]!;
    return b >= lo && b <= hi;
  };
  while (i < end) {
    const c = bytes[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let len: number;
    if (c >= 0xc2 && c <= 0xdf) len = cont(i + 1) ? 2 : 0;
    else if (c === 0xe0) len = cont(i + 1, 0xa0) && cont(i + 2) ? 3 : 0;
    else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) len = cont(i + 1) && cont(i + 2) ? 3 : 0;
    else if (c === 0xed) len = cont(i + 1, 0x80, 0x9f) && cont(i + 2) ? 3 : 0;
    else if (c === 0xf0) len = cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    else if (c >= 0xf1 && c <= 0xf3) len = cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    else if (c === 0xf4) len = cont(i + 1, 0x80, 0x8f) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    else len = 0;
    if (len === 0) return i;
    i += len;
  }
  return -1;
}

/** Length of the prefix that does not end in the middle of a multi-byte sequence. */
function completePrefixLength(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let j = end - 1; j >= Math.max(0, end - 4); j--) {
    const c = bytes[j]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return j + need > end ? j : end;
  }
  return end;
}

/** Line breaks in s[from, to): "\r\n", "\n" and a lone "\r" each count once. */
export function countLineBreaks(s: string, from = 0, to = s.length): number {
  // A plain loop: indexOf would scan past `to` (to the end of a 1 MiB chunk) for every short row.
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && s.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

function hex(b: number): string {
  return `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * Streams the source as strictly decoded UTF-8 text. A leading byte-order mark is dropped.
 * Invalid UTF-8 throws EngineError `csv-invalid-utf8` naming the byte offset (0-based) and line.
 *
 * Chunks are cut at UTF-8 sequence boundaries by hand and each piece is decoded with a fatal,
 * non-streaming TextDecoder; when it throws, findInvalidUtf8 finds the exact offset (the decoder
 * itself does not say where).
 */
export async function* decodeUtf8Chunks(
  source: CsvSource,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): AsyncGenerator<TextChunk> {
  const totalBytes = totalBytesOf(source);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let carry = new Uint8Array(0);
  let offset = 0; // absolute offset of carry[0]
  let lineBreaks = 0; // line breaks in all text decoded so far
  let endsWithCR = false;
  let first = true;

  const fail = (buf: Uint8Array, base: number): never => {
    let rel = findInvalidUtf8(buf);
    if (rel < 0) rel = 0;
    const before = decoder.decode(buf.subarray(0, rel));
    let line = 1 + lineBreaks + countLineBreaks(before);
    if (endsWithCR && before.startsWith('\n')) line--;
    const at = base + rel;
    const what = rel < buf.length ? `byte ${hex(buf[rel]!)}` : 'a multi-byte character cut off at the end of the file';
    throw new EngineError(
      'csv-invalid-utf8',
      `Line ${line} (byte offset ${at}): the file is not valid UTF-8 (${what}). ` +
        'Save it as UTF-8 (in Excel: "CSV UTF-8") and import it again.',
    );
  };

  const emit = (part: Uint8Array, base: number): string => {
    let text: string;
    try {
      text = decoder.decode(part);
    } catch {
      return fail(part, base);
    }
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    lineBreaks += countLineBreaks(text) - (endsWithCR && text.startsWith('\n') ? 1 : 0);
    if (text.length > 0) endsWithCR = text.endsWith('\r');
    return text;
  };

  for await (const chunk of byteChunks(source, chunkBytes)) {
    let buf: Uint8Array;
    if (carry.length === 0) buf = chunk;
    else {
      buf = new Uint8Array(carry.length + chunk.length);
      buf.set(carry);
      buf.set(chunk, carry.length);
    }
    const k = completePrefixLength(buf);
    const text = emit(buf.subarray(0, k), offset);
    carry = buf.slice(k);
    offset += k;
    yield { text, bytes: offset, totalBytes };
  }
  if (carry.length > 0) fail(carry, offset);
}
