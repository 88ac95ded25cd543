import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors.ts';
import { readSafetensors, toFloat32, writeSafetensors } from './safetensors.ts';

/** Builds a file by hand (not with writeSafetensors) so reader tests do not trust the writer. */
function handMade(header: object, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return (e as EngineError).message;
  }
  throw new Error('expected a rejection');
}

describe('writeSafetensors', () => {
  it('writes the documented layout byte for byte', () => {
    const bytes = writeSafetensors({ b: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } }, { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ __metadata__: { format: 'pt' }, b: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    expect(Array.from(new Float32Array(bytes.slice(8 + n).buffer))).toEqual([1, 2]);
  });

  it('round-trips through the reader', () => {
    const w = new Float32Array([0.5, -1, 3, 4, 5, 6]);
    const file = readSafetensors(
      writeSafetensors({ 'head.kernel': { dtype: 'F32', shape: [2, 3], data: w }, 'head.bias': { dtype: 'F32', shape: [3], data: new Float32Array(3) } }),
    );
    expect([...file.tensors.keys()].sort()).toEqual(['head.bias', 'head.kernel']);
    const k = file.tensors.get('head.kernel');
    expect(k?.shape).toEqual([2, 3]);
    expect(Array.from(toFloat32(k!))).toEqual(Array.from(w));
  });

  it('refuses data that does not match its shape', () => {
    expect(() => writeSafetensors({ x: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(/needs 12/);
  });
});

describe('readSafetensors rejects malformed files, naming the problem', () => {
  const four = new Uint8Array(4);
  it.each([
    ['too short', () => new Uint8Array(3), /8-byte header length/],
    ['header longer than file', () => { const b = handMade({}); new DataView(b.buffer).setBigUint64(0, 999n, true); return b; }, /runs past the end/],
    ['absurd header length', () => { const b = handMade({}); new DataView(b.buffer).setBigUint64(0, 2n ** 60n, true); return b; }, /exceeds/],
    ['not UTF-8', () => handMade({}, undefined, '{"\xff"}').map((v, i) => (i === 10 ? 0xff : v)), /UTF-8/],
    ['not JSON', () => handMade({}, undefined, '{nope'), /malformed/],
    ['not an object', () => handMade({}, undefined, '[1]'), /start with '\{'/],
    ['unknown dtype', () => handMade({ x: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, four), /unknown dtype/],
    ['bad shape', () => handMade({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, four), /invalid shape/],
    ['size mismatch', () => handMade({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, four), /needs 8/],
    ['gap', () => handMade({ x: { dtype: 'U8', shape: [2], data_offsets: [2, 4] } }, four), /contiguous/],
    ['trailing bytes', () => handMade({ x: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, four), /cover 2 bytes/],
    ['overlap', () => handMade({ x: { dtype: 'U8', shape: [2], data_offsets: [0, 2] }, y: { dtype: 'U8', shape: [2], data_offsets: [1, 3] } }, four), /contiguous/],
    ['metadata not strings', () => handMade({ __metadata__: { a: 1 } }), /must be a string/],
  ])('%s', (_name, make, pattern) => {
    expect(codeOf(() => readSafetensors(make(), 'w.safetensors'))).toMatch(pattern);
  });

  it('does not let __proto__ keys pollute objects', () => {
    const file = readSafetensors(handMade({}, undefined, '{"__metadata__":{"__proto__":"x"}}'));
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getPrototypeOf(file.metadata)).toBe(Object.prototype);
  });
});
