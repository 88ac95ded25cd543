/**
 * IEEE half (F16) and bfloat16 (BF16) <-> float32, by bit manipulation: Hugging Face checkpoints are
 * mostly stored in one of the 16-bit formats and every value goes through here once on load, so the
 * per-element work is a few integer ops (no Math.pow) and the result is exact (both widen losslessly).
 */

/** Little-endian 16-bit words of `bytes` (copied, so the source needs no 2-byte alignment). */
function words(bytes: Uint8Array): Uint16Array {
  if (bytes.byteLength % 2 !== 0) throw new RangeError(`16-bit data has an odd byte length ${bytes.byteLength}.`);
  return new Uint16Array(bytes.slice().buffer);
}

/** F16 bytes (little-endian) -> float32 values, subnormals, infinities and NaN included. */
export function float16ToFloat32(bytes: Uint8Array): Float32Array {
  const src = words(bytes);
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const h = src[i]!;
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0x1f) {
      bits[i] = sign | 0x7f800000 | (frac << 13); // inf or NaN (payload kept)
    } else if (exp !== 0) {
      bits[i] = sign | ((exp + 112) << 23) | (frac << 13); // rebias 15 -> 127
    } else {
      // zero or subnormal: frac * 2^-24 is exact in float32
      out[i] = frac * 5.960464477539063e-8;
      if (sign) out[i] = -out[i]!;
      if (sign && frac === 0) bits[i] = 0x80000000; // keep -0
    }
  }
  return out;
}

/** BF16 bytes (little-endian) -> float32: bf16 is the top half of a float32. */
export function bfloat16ToFloat32(bytes: Uint8Array): Float32Array {
  const src = words(bytes);
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
  return out;
}

/** float32 -> F16 bits with round-to-nearest-even (overflow -> inf, tiny -> subnormal or 0). */
export function float32ToFloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      const m = mant | 0x800000; // implicit leading 1
      const shift = 14 - e;
      let h = m >>> shift;
      const rem = m & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && (h & 1))) h++;
      out[i] = sign | h;
    } else {
      let h = (e << 10) | (mant >>> 13);
      const rem = mant & 0x1fff;
      if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++; // a carry into the exponent is still correct
      out[i] = sign | h;
    }
  }
  return out;
}

/** float32 -> BF16 bits with round-to-nearest-even (NaN stays NaN). */
export function float32ToBfloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff)) {
      out[i] = (x >>> 16) | 0x40; // quiet NaN, never rounded into inf
      continue;
    }
    out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}
