/**
 * Which frozen weights of a causal LM are held as float16 on the GPU, and the packing itself
 * (src/kernels/halfMatMul.ts: int32 words holding two halves, the even column in the low bits).
 *
 * auto (the default): on WebGPU, the linear projections' weights and the vocabulary tables of a
 * checkpoint stored as F16 or BF16. F16 is then exact. BF16 is exact wherever float16 can hold the
 * value: a tensor with a value beyond float16's range (|x| > 65504) stays float32; values below
 * float16's normal range (|x| < 2^-14) may lose low bits on the GPU copy, and their exact source
 * values are kept (HalfStorage.exact) so exports read back exactly what was loaded.
 * float16: every such weight, F32 checkpoints included (rounded: lossy, exports too). float32: none.
 * Only 2-D weights with an even column count are packed; norms, biases and gpt2's position table stay float32.
 */
import { EngineError } from '../../errors.ts';
import { float16ToFloat32, float32ToFloat16Bits } from './halfFloat.ts';
import type { HalfExact } from './hfTypes.ts';

/** LmLoadOptions.weightStorage. */
export type WeightStorage = 'auto' | 'float16' | 'float32';

/** A checkpoint tensor's dtype in its safetensors file. */
export type SourceDtype = 'F32' | 'F16' | 'BF16';

/** Whether a weight could be packed at all: a projection or table (`packable`), 2-D, even columns. */
export function wantsHalf(storage: WeightStorage, source: SourceDtype, shape: number[], packable: boolean): boolean {
  if (storage === 'float32' || !packable || shape.length !== 2 || shape[1]! % 2 !== 0) return false;
  return storage === 'float16' || source !== 'F32';
}

export interface PackedHalves {
  /** Two halves per element, [rows, cols / 2] row-major. */
  words: Int32Array;
  /** How many values float16 does not hold bit for bit. */
  rounded: number;
  /** Those values' flat indices and exact float32 values (empty unless asked for). */
  exact: HalfExact;
  /** Of the rounded, finite values float16 cannot hold at all (they would become ±inf). */
  overflow: number;
}

/**
 * float32 values (even count) -> packed halves, round-to-nearest-even, counting the values the
 * rounding changes and, with `keepExact`, listing them (for F16/BF16 sources, where they are few;
 * forced float16 on float32 weights rounds nearly all of them).
 */
export function packHalves(values: Float32Array, { keepExact = true } = {}): PackedHalves {
  if (values.length % 2 !== 0) throw new EngineError('internal', `packHalves needs an even number of values; got ${values.length}.`);
  const halves = float32ToFloat16Bits(values);
  const back = float16ToFloat32(new Uint8Array(halves.buffer));
  const srcBits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const backBits = new Uint32Array(back.buffer);
  let rounded = 0;
  let overflow = 0;
  for (let i = 0; i < values.length; i++) {
    if (srcBits[i] === backBits[i]) continue;
    rounded++;
    if (Number.isFinite(values[i]) && !Number.isFinite(back[i])) overflow++;
  }
  const exact = { index: new Int32Array(keepExact ? rounded : 0), values: new Float32Array(keepExact ? rounded : 0) };
  if (keepExact && rounded > 0) {
    for (let i = 0, k = 0; i < values.length; i++) {
      if (srcBits[i] === backBits[i]) continue;
      exact.index[k] = i;
      exact.values[k++] = values[i]!;
    }
  }
  return { words: new Int32Array(halves.buffer), rounded, exact, overflow };
}

/** Packed halves read back from the device -> float32, with the exact source values put back. */
export function unpackHalves(words: Int32Array, exact?: HalfExact): Float32Array {
  const out = float16ToFloat32(new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
  if (exact) for (let i = 0; i < exact.index.length; i++) out[exact.index[i]!] = exact.values[i]!;
  return out;
}

/** The part of `exact` that falls in flat values [from, to), re-indexed from `from`: a row chunk's share. */
export function sliceExact(exact: HalfExact, from: number, to: number): HalfExact {
  const keep: number[] = [];
  for (let i = 0; i < exact.index.length; i++) if (exact.index[i]! >= from && exact.index[i]! < to) keep.push(i);
  return { index: Int32Array.from(keep, (i) => exact.index[i]! - from), values: Float32Array.from(keep, (i) => exact.values[i]!) };
}
