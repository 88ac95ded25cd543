import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits } from './halfFloat.ts';

const bytes = (words: number[]): Uint8Array => new Uint8Array(new Uint16Array(words).buffer);

describe('F16', () => {
  it('decodes exact values: normals, zeros, subnormals, infinities, NaN', () => {
    const cases: [number, number][] = [
      [0x0000, 0], [0x3c00, 1], [0xc000, -2], [0x3555, 0.333251953125], [0x7bff, 65504], [0x0400, 2 ** -14],
      [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24], [0x8001, -(2 ** -24)], [0x7c00, Infinity], [0xfc00, -Infinity],
    ];
    const out = float16ToFloat32(bytes(cases.map((c) => c[0])));
    cases.forEach(([, v], i) => expect(out[i]).toBe(v));
    expect(Object.is(float16ToFloat32(bytes([0x8000]))[0], -0)).toBe(true);
    expect(Number.isNaN(float16ToFloat32(bytes([0x7e00]))[0])).toBe(true);
    expect(Number.isNaN(float16ToFloat32(bytes([0xfc01]))[0])).toBe(true);
  });

  it('reads unaligned data', () => {
    const buf = new Uint8Array(5);
    buf.set(bytes([0x3c00, 0xc000]), 1);
    expect(Array.from(float16ToFloat32(buf.subarray(1)))).toEqual([1, -2]);
  });

  it('round-trips every F16 bit pattern through float32', () => {
    const all = Array.from({ length: 65536 }, (_, i) => i);
    const back = float32ToFloat16Bits(float16ToFloat32(bytes(all)));
    for (let i = 0; i < 65536; i++) {
      const isNan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (isNan) expect((back[i]! & 0x7c00) === 0x7c00 && (back[i]! & 0x3ff) !== 0).toBe(true);
      else if (back[i] !== i) throw new Error(`0x${i.toString(16)} came back as 0x${back[i]!.toString(16)}`);
    }
  });

  it('rounds to nearest even, overflows to inf and underflows to subnormals', () => {
    const v = new Float32Array([1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000, 2 ** -25, 2 ** -25 * 1.5, 1e-10, -65520]);
    expect(Array.from(float32ToFloat16Bits(v))).toEqual([0x3c00, 0x3c02, 0x7c00, 0x0000, 0x0001, 0x0000, 0xfc00]);
  });
});

describe('BF16', () => {
  it('decodes as the top half of a float32', () => {
    const out = bfloat16ToFloat32(bytes([0x3f80, 0xc040, 0x7f80, 0xff80, 0x0001, 0x7fc0]));
    expect(Array.from(out.subarray(0, 5))).toEqual([1, -3, Infinity, -Infinity, 2 ** -133]);
    expect(Number.isNaN(out[5])).toBe(true);
  });

  it('round-trips and rounds to nearest even', () => {
    const v = new Float32Array([1, -3.5, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, NaN]);
    const b = float32ToBfloat16Bits(v);
    expect(Array.from(b.subarray(0, 5))).toEqual([0x3f80, 0xc060, 0x3f80, 0x3f82, 0x3f81]);
    expect(Number.isNaN(bfloat16ToFloat32(new Uint8Array(b.buffer))[5])).toBe(true);
  });
});
