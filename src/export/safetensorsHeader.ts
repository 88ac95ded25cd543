/**
 * The header of a safetensors file on its own: [u64 little-endian N][N bytes of JSON]. Enough to size a
 * model (names, dtypes, shapes) from the first few kilobytes of each file, before downloading gigabytes.
 */
import { showValue } from '../errors.ts';
import { bad, DTYPE_BYTES, MAX_ENTRIES, MAX_HEADER_BYTES, type SafetensorsDtype } from './safetensorsFormat.ts';

export interface SafetensorsHeaderEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range within the data section (which starts at `dataStart` in the file). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  /** 8 + header length: where the tensor data begins in the file. */
  dataStart: number;
  tensors: Map<string, SafetensorsHeaderEntry>;
}


/**
 * How many leading bytes of the file hold the header (8 + N), read from the first 8 bytes, so a caller
 * can fetch exactly that range.
 */
export function safetensorsHeaderSize(first8: Uint8Array, fileName = 'model.safetensors'): number {
  if (first8.byteLength < 8) throw bad(fileName, `only ${first8.byteLength} bytes given; a safetensors file starts with an 8-byte header length.`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw bad(fileName, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit; this is not a safetensors file.`);
  return 8 + Number(n);
}

/** Parses the header from the first bytes of a safetensors file (the whole file works too). */
export function readSafetensorsHeader(bytes: Uint8Array, fileName = 'model.safetensors'): SafetensorsHeader {
  const dataStart = safetensorsHeaderSize(bytes, fileName);
  if (bytes.byteLength < dataStart)
    throw bad(fileName, `header length ${dataStart - 8} at byte 0 runs past the end of the ${bytes.byteLength} bytes given.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw bad(fileName, 'header (from byte 8) is not valid UTF-8.');
  }
  if (!text.startsWith('{')) throw bad(fileName, "header at byte 8 does not start with '{'.");
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw bad(fileName, `header JSON is malformed (${(e as Error).message}).`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad(fileName, 'header is not a JSON object.');
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const tensors = new Map<string, SafetensorsHeaderEntry>();
  const keys = Object.keys(header);
  if (keys.length > MAX_ENTRIES) throw bad(fileName, `header lists ${keys.length} entries; the limit is ${MAX_ENTRIES}.`);
  for (const name of keys) {
    const raw = (header as Record<string, unknown>)[name];
    if (name.length > 1000) throw bad(fileName, `a tensor name is ${name.length} characters long; names are at most 1000.`);
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(fileName, '__metadata__ must be an object of strings.');
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw bad(fileName, `__metadata__[${showValue(k)}] must be a string.`);
        metadata[k] = v;
      }
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (raw ?? {}) as Record<string, unknown>;
    if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(DTYPE_BYTES, dtype))
      throw bad(fileName, `tensor "${name}" has unknown dtype ${showValue(dtype)}.`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw bad(fileName, `tensor "${name}" has an invalid shape ${showValue(shape)}.`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      throw bad(fileName, `tensor "${name}" has invalid data_offsets ${showValue(offsets)}.`);
    const [begin, end] = offsets as [number, number];
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype as SafetensorsDtype];
    if (end - begin !== expected)
      throw bad(fileName, `tensor "${name.slice(0, 200)}" holds ${end - begin} bytes (data_offsets [${begin}, ${end}]) but shape ${showValue(shape)} of ${dtype} needs ${expected}.`);
    tensors.set(name, { dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }
  return { metadata: { ...metadata }, dataStart, tensors };
}
