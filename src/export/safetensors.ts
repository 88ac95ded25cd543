/**
 * safetensors, read and written by the rules of its specification
 * (https://github.com/huggingface/safetensors#format):
 *   [u64 little-endian N][N bytes of UTF-8 JSON header, space-padded][byte buffer]
 * Header: { "__metadata__"?: {string: string}, name: { dtype, shape, data_offsets: [begin, end] } }.
 * Offsets are relative to the byte buffer, contiguous from 0, and cover it exactly; each tensor's
 * byte length equals product(shape) x dtype size. Anything else is rejected with the byte offset.
 */
import { EngineError, showValue } from '../errors.ts';

export type SafetensorsDtype =
  | 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL'
  | 'F8_E4M3' | 'F8_E5M2';

export const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1,
};

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** The tensor's raw little-endian bytes (a view into the file's buffer when read). */
  data: Uint8Array;
}

export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsTensor>;
}

/** Headers above this are refused before any allocation: real files' headers are kilobytes. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** Tensors per file: real checkpoints hold thousands; a header of millions of tiny entries is an attack. */
export const MAX_ENTRIES = 100_000;

const bad = (file: string, message: string): EngineError =>
  new EngineError('safetensors-invalid', `${file}: ${message}`);

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BYTES, value);
}

/** Parses and validates a whole safetensors file. `fileName` only labels error messages. */
export function readSafetensors(bytes: Uint8Array, fileName = 'model.safetensors'): SafetensorsFile {
  if (bytes.byteLength < 8) throw bad(fileName, `file is ${bytes.byteLength} bytes; a safetensors file starts with an 8-byte header length.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) throw bad(fileName, `header length ${headerLen} at byte 0 exceeds the ${MAX_HEADER_BYTES}-byte limit.`);
  const n = Number(headerLen);
  if (8 + n > bytes.byteLength) throw bad(fileName, `header length ${n} at byte 0 runs past the end of the file (${bytes.byteLength} bytes).`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
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

  const dataStart = 8 + n;
  const dataLen = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
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
    if (raw === null || typeof raw !== 'object') throw bad(fileName, `entry "${name}" is not an object.`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isDtype(dtype)) throw bad(fileName, `tensor "${name}" has unknown dtype ${showValue(dtype)}.`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
      throw bad(fileName, `tensor "${name}" has an invalid shape ${showValue(shape)}.`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0))
      throw bad(fileName, `tensor "${name}" has invalid data_offsets ${showValue(offsets)}.`);
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw bad(fileName, `tensor "${name}" ends (${end}) before it begins (${begin}).`);
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = elements * DTYPE_BYTES[dtype];
    if (end - begin !== expected)
      throw bad(fileName, `tensor "${name}" holds ${end - begin} bytes but shape ${showValue(shape)} of ${dtype} needs ${expected}.`);
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }

  // Contiguous from 0 and covering the buffer exactly: no gaps, overlaps or trailing bytes to hide data in.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin !== cursor)
      throw bad(fileName, `tensor "${e.name}" starts at buffer offset ${e.begin} (file byte ${dataStart + e.begin}); expected ${cursor}: tensors must be contiguous.`);
    cursor = e.end;
  }
  if (cursor !== dataLen)
    throw bad(fileName, `tensors cover ${cursor} bytes but the data section has ${dataLen} (file is ${bytes.byteLength} bytes).`);

  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: bytes.subarray(dataStart + e.begin, dataStart + e.end) });
  }
  return { metadata: { ...metadata }, tensors };
}

export interface TensorToWrite {
  dtype: SafetensorsDtype;
  shape: number[];
  data: ArrayBufferView;
}

/**
 * Writes a safetensors file. Tensors are laid out in name order and the header is padded with
 * spaces to a multiple of 8 bytes, so every tensor starts 8-byte aligned (as the reference writer does).
 */
export function writeSafetensors(tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  // No prototype: a tensor named "__proto__" must become a key, not replace the object's prototype.
  const header = Object.create(null) as Record<string, unknown>;
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new EngineError('safetensors-invalid', 'a tensor cannot be named __metadata__.');
    const t = tensors[name] as TensorToWrite;
    const elements = t.shape.reduce((a, b) => a * b, 1);
    const byteLength = elements * DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== byteLength)
      throw new EngineError('safetensors-invalid', `tensor "${name}": ${t.data.byteLength} bytes given, shape ${JSON.stringify(t.shape)} of ${t.dtype} needs ${byteLength}.`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + byteLength] };
    offset += byteLength;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  const pad = (8 - (encoder.encode(json).byteLength % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.byteLength;
  for (const name of names) {
    const t = tensors[name] as TensorToWrite;
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), cursor);
    cursor += t.data.byteLength;
  }
  return out;
}

/** F32 tensor bytes as a Float32Array (copied, so alignment never matters). */
export function toFloat32(t: SafetensorsTensor): Float32Array {
  if (t.dtype !== 'F32') throw new EngineError('safetensors-dtype', `expected F32, got ${t.dtype}.`);
  return new Float32Array(t.data.slice().buffer);
}
