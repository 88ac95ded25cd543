/**
 * Vocabulary tables held in row chunks. A WebGPU shader binds at most maxStorageBufferBindingSize
 * bytes per buffer (128 MiB by default, often 1-4 GiB on adapters that offer more), and the
 * embedding tables of current small models are bigger in float32 (Qwen 151,936 x 896 = 545 MB,
 * Gemma 3 262,144 x 640 = 671 MB). Such a table is split by rows into chunks that each fit; the
 * token lookup gathers from every chunk and keeps the rows that fall in it, the output projection
 * multiplies by each chunk and joins the logits. Only these tables split: every other weight of the
 * models Tabtune runs is far smaller, and checkFits refuses one that is not. A table held as float16
 * pairs (halfWeights.ts) is read through the half kernels (src/kernels/halfMatMul.ts).
 */
import { gatherHalfRows, isHalf, linear } from '../../kernels/halfMatMul.ts';
import { tf, type Tensor } from '../../tf.ts';

/** Rows per chunk so that one chunk of `cols` float32 values fits `maxBytes` (at least one row). */
export function rowsPerChunk(cols: number, maxBytes: number): number {
  return Math.max(1, Math.floor(maxBytes / (cols * 4)));
}

/** The number of chunks a [rows, cols] float32 table takes under `maxBytes` per buffer (1: it fits whole). */
export function chunkCount(rows: number, cols: number, maxBytes: number): number {
  return rows * cols * 4 <= maxBytes ? 1 : Math.ceil(rows / rowsPerChunk(cols, maxBytes));
}

/**
 * Splits a row-major [rows, cols] table of 4-byte elements into consecutive row blocks (views, no
 * copy). A float16-held table is split as its packed words, [rows, cols / 2].
 */
export function splitRows<T extends Float32Array | Int32Array>(values: T, rows: number, cols: number, maxBytes: number): { values: T; shape: [number, number] }[] {
  const per = chunkCount(rows, cols, maxBytes) === 1 ? rows : rowsPerChunk(cols, maxBytes);
  const out: { values: T; shape: [number, number] }[] = [];
  for (let r = 0; r < rows; r += per) {
    const n = Math.min(per, rows - r);
    out.push({ values: values.subarray(r * cols, (r + n) * cols) as T, shape: [n, cols] });
  }
  return out;
}

/**
 * Rows `ids` [N] int32 of the table held as `chunks` (each [rows_k, C], in order; float32, or float16
 * pairs [rows_k, C/2]) -> [N, C] float32.
 */
export function gatherRows(chunks: Tensor[], ids: Tensor): Tensor {
  if (chunks.length === 1) return isHalf(chunks[0]!) ? gatherHalfRows(chunks[0]!, ids, 0) : tf.gather(chunks[0]!, ids); // [N, C]
  if (chunks.every(isHalf)) {
    // The half gather zeroes the rows a chunk does not hold: the chunks' results just add up.
    let first = 0;
    const parts = chunks.map((chunk) => {
      const part = gatherHalfRows(chunk, ids, first); // [N, C]
      first += chunk.shape[0]!;
      return part;
    });
    return parts.length === 1 ? parts[0]! : tf.addN(parts);
  }
  let first = 0;
  let out: Tensor | null = null;
  for (const chunk of chunks) {
    const rows = chunk.shape[0]!;
    const local = tf.sub(ids, tf.scalar(first, 'int32')); // [N] row within this chunk
    const inside = tf.logicalAnd(tf.greaterEqual(local, 0), tf.less(local, rows)); // [N]
    // Ids outside the chunk read its row 0 and are zeroed; exactly one chunk holds each id.
    const rowsHere = tf.gather(chunk, tf.where(inside, local, tf.zerosLike(local))); // [N, C]
    const kept = tf.mul(rowsHere, tf.expandDims(tf.cast(inside, 'float32'), 1)); // [N, C]
    out = out ? tf.add(out, kept) : kept;
    first += rows;
  }
  return out!;
}

/** h [N, C] times the transposed table held as `chunks` -> [N, V]: the logits of every row of the table. */
export function matMulRows(h: Tensor, chunks: Tensor[]): Tensor {
  if (chunks.length === 1) return linear(h, chunks[0]!, true); // [N, V]
  return tf.concat(
    chunks.map((chunk) => linear(h, chunk, true)), // [N, rows_k] each
    1,
  ); // [N, V]
}

/** g [N, V] times the table held as `chunks` -> [N, C]: each row's weighted sum of the table's rows (matMulRows' gradient with respect to h). */
export function weightedRows(g: Tensor, chunks: Tensor[]): Tensor {
  if (chunks.length === 1) return linear(g, chunks[0]!, false); // [N, C]
  let first = 0;
  let out: Tensor | null = null;
  for (const chunk of chunks) {
    const rows = chunk.shape[0]!;
    const part = linear(tf.slice(g, [0, first], [-1, rows]), chunk, false); // [N, C]
    out = out ? tf.add(out, part) : part;
    first += rows;
  }
  return out!;
}
