/**
 * safetensors, read and written by the rules of its specification
 * (https://github.com/huggingface/safetensors#format):
 *   [u64 little-endian N][N bytes of UTF-8 JSON header, space-padded][byte buffer]
 * Header: { "__metadata__"?: {string: string}, name: { dtype, shape, data_offsets: [begin, end] } }.
 * Offsets are relative to the byte buffer, contiguous from 0, and cover it exactly; each tensor's
 * byte length equals product(shape) x dtype size. Anything else is rejected with the byte offset.
 */
import { EngineError } from '../errors.ts';
import { bad, DTYPE_BYTES, type SafetensorsDtype } from './safetensorsFormat.ts';
import { readSafetensorsHeader } from './safetensorsHeader.ts';

export { DTYPE_BYTES, MAX_ENTRIES, MAX_HEADER_BYTES, type SafetensorsDtype } from './safetensorsFormat.ts';

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

/**
 * Parses and validates a whole safetensors file: the header by readSafetensorsHeader's rules, then the
 * data section, which the tensors must cover exactly. `fileName` only labels error messages.
 */
export function readSafetensors(bytes: Uint8Array, fileName = 'model.safetensors'): SafetensorsFile {
  const header = readSafetensorsHeader(bytes, fileName);
  const { dataStart } = header;
  const dataLen = bytes.byteLength - dataStart;
  // Contiguous from 0 and covering the buffer exactly: no gaps, overlaps or trailing bytes to hide data in.
  const entries = [...header.tensors].sort(([, a], [, b]) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const [name, e] of entries) {
    if (e.begin !== cursor)
      throw bad(fileName, `tensor "${name}" starts at buffer offset ${e.begin} (file byte ${dataStart + e.begin}); expected ${cursor}: tensors must be contiguous.`);
    cursor = e.end;
  }
  if (cursor !== dataLen)
    throw bad(fileName, `tensors cover ${cursor} bytes but the data section has ${dataLen} (file is ${bytes.byteLength} bytes).`);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, e] of entries) {
    tensors.set(name, { dtype: e.dtype, shape: e.shape, data: bytes.subarray(dataStart + e.begin, dataStart + e.end) });
  }
  return { metadata: header.metadata, tensors };
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
