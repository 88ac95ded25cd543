/**
 * Frozen weights stored as float16 on WebGPU. TF.js 4.22 has no float16 dtype, so such a weight is an
 * int32 tensor [rows, cols / 2] whose every element holds two IEEE halves (the even column in the low
 * 16 bits): half the bytes of float32. Only WebGPU kernels read it (src/kernels/webgpu/registerHalfKernels.ts,
 * WGSL's core unpack2x16float, so every adapter runs them, shader-f16 or not). No HF weight is ever
 * int32, so the dtype alone marks a packed weight. Frozen only: nothing here gives a weight gradient.
 */
import { EngineError } from '../errors.ts';
import { addNoSave } from './noSaveOps.ts';
import { tf, type Tensor, type Tensor2D } from '../tf.ts';

/** out [M, N] = x [M, K] · op(W) (+ bias [N]); W packed halves, [K, N/2] or, with transposeW, [N, K/2]. Differentiable for x and bias. */
export const HALF_MAT_MUL = 'HalfMatMul';
/** out [R, C] float32 = the packed halves [R, C/2] unpacked. */
export const UNPACK_HALF = 'UnpackHalf';
/** out [N, C] float32 = rows ids [N] - first of a packed table [rows, C/2]; zeros for ids outside it. */
export const GATHER_HALF_ROWS = 'GatherHalfRows';

export interface GatherHalfRowsAttrs {
  first: number;
}

export interface HalfMatMulAttrs {
  transposeW: boolean;
}

/** A weight held as packed float16 pairs. */
export function isHalf(t: Tensor): boolean {
  return t.dtype === 'int32';
}

/** The float32 shape a weight stands for: a packed [R, C/2] is [R, C]. */
export function logicalShape(t: Tensor): number[] {
  return isHalf(t) ? [...t.shape.slice(0, -1), t.shape.at(-1)! * 2] : t.shape;
}

/** The number of values a weight stands for (a packed one holds two per element). */
export function logicalSize(t: Tensor): number {
  return isHalf(t) ? t.size * 2 : t.size;
}

function requireKernel(name: string): void {
  if (tf.getKernel(name, tf.getBackend()) === undefined)
    throw new EngineError('internal', `a float16-stored weight was used on the ${tf.getBackend()} backend, which has no ${name} kernel; float16 storage is for WebGPU only, so load the model again with weight storage float32.`);
}

/** x [M, K] · op(W) (+ bias) -> [M, N]: tf.matMul for a float32 W, the HalfMatMul kernel for a packed one. */
export function linear(x: Tensor, w: Tensor, transposeW: boolean, bias?: Tensor): Tensor {
  if (!isHalf(w)) {
    const y = tf.matMul(x, w, false, transposeW); // [M, N]
    return bias ? addNoSave(y, bias) : y;
  }
  requireKernel(HALF_MAT_MUL);
  const inputs: Record<string, Tensor> = { x, w };
  if (bias) inputs.bias = bias;
  const attrs: HalfMatMulAttrs = { transposeW };
  return tf.engine().runKernel(HALF_MAT_MUL, inputs, attrs as unknown as tf.NamedAttrMap) as Tensor;
}

/** Packed halves [R, C/2] -> float32 [R, C] (a float32 tensor is returned as it is). */
export function unpackHalf(t: Tensor): Tensor {
  if (!isHalf(t)) return t;
  requireKernel(UNPACK_HALF);
  return tf.engine().runKernel(UNPACK_HALF, { packed: t as Tensor2D }) as Tensor;
}

/**
 * Rows `ids` [N] int32 (counted from `first`) of a packed table [rows, C/2] -> [N, C] float32, a zero
 * row for an id the table does not hold: the embedding lookup from a float16 table or row chunk.
 */
export function gatherHalfRows(table: Tensor, ids: Tensor, first: number): Tensor {
  requireKernel(GATHER_HALF_ROWS);
  const attrs: GatherHalfRowsAttrs = { first };
  return tf.engine().runKernel(GATHER_HALF_ROWS, { table, ids }, attrs as unknown as tf.NamedAttrMap) as Tensor;
}
