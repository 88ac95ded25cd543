/**
 * A checkpoint as one byte string for storage (see storage/checkpointStore.ts):
 *   "TTCK" | u32 version | u32 header bytes | header JSON | padding | typed arrays, 4-byte aligned.
 * The header JSON holds every value except the typed arrays, which it refers to by index; numbers
 * that JSON cannot spell (NaN, Infinity) are kept as strings.
 */
import type { Checkpoint } from './checkpointState.ts';
import { upgradeCheckpoint } from './checkpointUpgrade.ts';

const MAGIC = 0x4b435454; // "TTCK" little-endian
/** 2: the state carries the step history. Format 1 files read as well (the upgrade gives them an empty history). */
const FORMAT_VERSION = 2;
const READABLE_VERSIONS = [1, 2];

type Blob32 = Float32Array | Int32Array;

function encodeValue(value: unknown, blobs: Blob32[]): unknown {
  if (value instanceof Float32Array || value instanceof Int32Array) {
    blobs.push(value);
    return { $blob: blobs.length - 1 };
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $num: String(value) };
  if (Array.isArray(value)) return value.map((v) => encodeValue(v, blobs));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeValue(v, blobs);
    return out;
  }
  return value;
}

function decodeValue(value: unknown, blobs: Blob32[]): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeValue(v, blobs));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$blob === 'number') return blobs[o.$blob];
    if (typeof o.$num === 'string') return Number(o.$num);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decodeValue(v, blobs);
    return out;
  }
  return value;
}

export function serializeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const blobs: Blob32[] = [];
  const body = encodeValue(checkpoint, blobs);
  let offset = 0;
  const index = blobs.map((b) => {
    const entry = { type: b instanceof Float32Array ? 'f32' : 'i32', offset, length: b.length };
    offset += b.byteLength;
    return entry;
  });
  const header = new TextEncoder().encode(JSON.stringify({ body, blobs: index }));
  const start = Math.ceil((12 + header.byteLength) / 8) * 8;
  const out = new Uint8Array(start + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, header.byteLength, true);
  out.set(header, 12);
  blobs.forEach((b, i) => out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), start + index[i]!.offset));
  return out;
}

/** Reads a checkpoint, upgraded to today's config and plan shapes (checkpointUpgrade.ts). */
export function deserializeCheckpoint(bytes: Uint8Array): Checkpoint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || view.getUint32(0, true) !== MAGIC) throw new Error('This is not a Tabtune checkpoint.');
  const version = view.getUint32(4, true);
  if (!READABLE_VERSIONS.includes(version)) throw new Error(`Checkpoint format ${version} is not supported (this version reads ${READABLE_VERSIONS.join(' and ')}); it was written by a newer Tabtune.`);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as {
    body: unknown;
    blobs: { type: 'f32' | 'i32'; offset: number; length: number }[];
  };
  const start = Math.ceil((12 + headerLength) / 8) * 8;
  const blobs = header.blobs.map(({ type, offset, length }) => {
    // Copied out, so each array owns an aligned buffer whatever the input's offset (a Node Buffer's slice would be a view).
    const raw = new Uint8Array(bytes.subarray(start + offset, start + offset + length * 4));
    if (raw.byteLength !== length * 4) throw new Error('The checkpoint is truncated.');
    return type === 'f32' ? new Float32Array(raw.buffer) : new Int32Array(raw.buffer);
  });
  return upgradeCheckpoint(decodeValue(header.body, blobs) as Checkpoint);
}
