/**
 * WGSL programs for the fused LoRA projection (kept apart from the kernel function, as TF.js' own
 * webgpu programs are). TF.js' WebGPU backend wraps `getUserCode()` with the bindings (`result`,
 * then one read-only storage array per entry of `variableNames`), the `uniforms` struct (every
 * input's shape, the output shape, then the fields named in `uniforms`) and `_start`, which calls
 * `main()` (2-D dispatch layouts) or `main(index)` (flat ones).
 *
 * Matrices are addressed flat, row-major; a transposed operand is read as the transpose of what is
 * stored, so no transpose is ever materialised.
 */
import type { WebGPUProgram } from '../../tf.ts';

/** Output tile per workgroup (rows and columns) and the inner-dimension slice staged in shared memory. */
export const TILE = 32;
const THREADS = 8; // 8x8 threads per workgroup, each computing a 4x4 block of the tile
const PER_THREAD = TILE / THREADS;

/** Row-major index of element (row, col) of op(X), with op(X) [rows, cols] and X stored transposed or not. */
function flatAt(transposed: boolean, row: string, col: string, rows: string, cols: string): string {
  return transposed ? `(${col}) * ${rows} + (${row})` : `(${row}) * ${cols} + (${col})`;
}

/** Element (row, col) of op(X) read from X's array. */
function at(name: string, transposed: boolean, row: string, col: string, rows: string, cols: string): string {
  return `${name}[${flatAt(transposed, row, col, rows, cols)}]`;
}

export interface LoraMatMulFlags {
  /** lhs is stored [K, M] (read as its transpose). */
  transposeLhs: boolean;
  /** rhs is stored [N, K]. */
  transposeRhs: boolean;
  /** `up` is stored [N, R] (read as its transpose); otherwise [R, N]. */
  transposeUp: boolean;
  hasBias: boolean;
  /** Adds alpha * low[M, R] · op(up)[R, N] in the epilogue. */
  hasLowRank: boolean;
  /**
   * rhs holds float16 pairs (halfWeights.ts: int32 words, two halves each, the first in the low
   * bits), unpacked on read with WGSL's core unpack2x16float: no shader-f16 feature needed.
   */
  halfRhs: boolean;
}

/** Element `flat` (row-major, logical) of a packed-half matrix: word flat/2, half flat%2. */
function halfAt(name: string, flat: string): string {
  return `unpack2x16float(bitcast<u32>(${name}[(${flat}) / 2]))[(${flat}) % 2]`;
}

/**
 * out[M, N] = op(lhs)[M, K] · op(rhs)[K, N] (+ bias[N]) (+ alpha * low[M, R] · op(up)[R, N]).
 * A shared-memory tiled matmul (32x32 output tile, 4x4 outputs per thread) whose epilogue adds the
 * bias and the rank-R LoRA term, so the full-size [M, N] result is written once, in one dispatch.
 * Scalar loads: the program for shapes the vec4 one (loraMatMulVec4Program.ts) cannot take, K or N
 * not a multiple of 4.
 * Inputs, in order: lhs, rhs, [bias], [low, up].
 */
export class LoraMatMulProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  variableNames: string[];
  uniforms = 'dimM : i32, dimN : i32, dimK : i32, dimR : i32, alpha : f32,';
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  private readonly flags: LoraMatMulFlags;

  constructor(m: number, n: number, flags: LoraMatMulFlags) {
    this.outputShape = [m, n];
    this.flags = flags;
    this.dispatch = [Math.ceil(n / TILE), Math.ceil(m / TILE), 1];
    this.variableNames = ['lhs', 'rhs'];
    if (flags.hasBias) this.variableNames.push('bias');
    if (flags.hasLowRank) this.variableNames.push('low', 'up');
    const f = flags;
    this.shaderKey = `loraMatMul_${+f.transposeLhs}${+f.transposeRhs}${+f.transposeUp}${+f.hasBias}${+f.hasLowRank}${+f.halfRhs}`;
  }

  getUserCode(): string {
    const f = this.flags;
    const M = 'uniforms.dimM';
    const N = 'uniforms.dimN';
    const K = 'uniforms.dimK';
    const R = 'uniforms.dimR';
    const loads = (TILE * TILE) / (THREADS * THREADS);
    return `
  var<workgroup> tileL : array<array<f32, ${TILE}>, ${TILE}>; // [m][k]
  var<workgroup> tileR : array<array<f32, ${TILE}>, ${TILE}>; // [k][n]

  fn readLhs(m : i32, k : i32) -> f32 {
    if (m >= ${M} || k >= ${K}) { return 0.0; }
    return ${at('lhs', f.transposeLhs, 'm', 'k', M, K)};
  }
  fn readRhs(k : i32, n : i32) -> f32 {
    if (k >= ${K} || n >= ${N}) { return 0.0; }
    return ${f.halfRhs ? halfAt('rhs', flatAt(f.transposeRhs, 'k', 'n', K, N)) : at('rhs', f.transposeRhs, 'k', 'n', K, N)};
  }

  fn main() {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let tid = ty * ${THREADS} + tx;
    let tileRow = i32(workgroupId.y) * ${TILE};
    let tileCol = i32(workgroupId.x) * ${TILE};
    var acc : array<array<f32, ${PER_THREAD}>, ${PER_THREAD}>;
    let numTiles = (${K} + ${TILE - 1}) / ${TILE};
    for (var t = 0; t < numTiles; t = t + 1) {
      let k0 = t * ${TILE};
      // Neighbouring invocations read neighbouring addresses: along k for a row-major lhs, along n
      // for a row-major rhs, and the other way round for transposed ones.
      for (var i = 0; i < ${loads}; i = i + 1) {
        let e = tid + i * ${THREADS * THREADS};
        let lr = ${f.transposeLhs ? `e % ${TILE}` : `e / ${TILE}`};
        let lc = ${f.transposeLhs ? `e / ${TILE}` : `e % ${TILE}`};
        tileL[lr][lc] = readLhs(tileRow + lr, k0 + lc);
        let rr = ${f.transposeRhs ? `e % ${TILE}` : `e / ${TILE}`};
        let rc = ${f.transposeRhs ? `e / ${TILE}` : `e % ${TILE}`};
        tileR[rr][rc] = readRhs(k0 + rr, tileCol + rc);
      }
      workgroupBarrier();
      for (var k = 0; k < ${TILE}; k = k + 1) {
        var a : array<f32, ${PER_THREAD}>;
        var b : array<f32, ${PER_THREAD}>;
        for (var i = 0; i < ${PER_THREAD}; i = i + 1) {
          a[i] = tileL[ty * ${PER_THREAD} + i][k];
          b[i] = tileR[k][tx * ${PER_THREAD} + i];
        }
        for (var i = 0; i < ${PER_THREAD}; i = i + 1) {
          for (var j = 0; j < ${PER_THREAD}; j = j + 1) {
            acc[i][j] = fma(a[i], b[j], acc[i][j]);
          }
        }
      }
      workgroupBarrier();
    }
    for (var i = 0; i < ${PER_THREAD}; i = i + 1) {
      let m = tileRow + ty * ${PER_THREAD} + i;
      if (m >= ${M}) { break; }
      for (var j = 0; j < ${PER_THREAD}; j = j + 1) {
        let n = tileCol + tx * ${PER_THREAD} + j;
        if (n >= ${N}) { break; }
        var v = acc[i][j];
        ${f.hasBias ? 'v = v + bias[n];' : ''}
        ${
          f.hasLowRank
            ? `var d = 0.0;
        for (var q = 0; q < ${R}; q = q + 1) {
          d = fma(low[m * ${R} + q], ${at('up', f.transposeUp, 'q', 'n', R, N)}, d);
        }
        v = fma(uniforms.alpha, d, v);`
            : ''
        }
        result[m * ${N} + n] = v;
      }
    }
  }
  `;
  }
}

/**
 * out[M, N] = alpha * op(lhs)[M, K] · op(rhs)[K, N], one invocation per output element looping over K.
 * For the thin products of LoRA (x·Aᵀ and dy·B with N = r; dA and dB reducing over the tokens),
 * where the output is too small to fill a tiled matmul.
 */
export class ThinMatMulProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  variableNames = ['lhs', 'rhs'];
  uniforms = 'dimM : i32, dimN : i32, dimK : i32, alpha : f32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  private readonly transposeLhs: boolean;
  private readonly transposeRhs: boolean;

  constructor(m: number, n: number, transposeLhs: boolean, transposeRhs: boolean) {
    this.outputShape = [m, n];
    this.transposeLhs = transposeLhs;
    this.transposeRhs = transposeRhs;
    this.dispatch = [Math.ceil((m * n) / this.workgroupSize[0]), 1, 1];
    this.shaderKey = `loraThinMatMul_${+transposeLhs}${+transposeRhs}`;
  }

  getUserCode(): string {
    const M = 'uniforms.dimM';
    const N = 'uniforms.dimN';
    const K = 'uniforms.dimK';
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let m = index / ${N};
      let n = index % ${N};
      var acc = 0.0;
      for (var k = 0; k < ${K}; k = k + 1) {
        acc = fma(${at('lhs', this.transposeLhs, 'm', 'k', M, K)}, ${at('rhs', this.transposeRhs, 'k', 'n', K, N)}, acc);
      }
      setOutputAtIndex(index, uniforms.alpha * acc);
    }
  }
  `;
  }
}

/**
 * out[M, N] float32 = the packed-half matrix in[M, N/2] (int32 words) unpacked: the rows an
 * embedding lookup gathered from a float16 table, or a whole weight read back.
 */
export class UnpackHalfProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey = 'unpackHalf';
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  variableNames = ['packed'];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;

  constructor(rows: number, cols: number) {
    this.outputShape = [rows, cols];
    this.dispatch = [Math.ceil((rows * cols) / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      setOutputAtIndex(index, ${halfAt('packed', 'index')});
    }
  }
  `;
  }
}

/**
 * out[N, C] float32 = rows ids[N] - first of the packed-half table [rows, C/2], unpacked; an id
 * outside [first, first + rows) gives a zero row (a row chunk holds only its share of the vocabulary).
 * Its own gather because TF.js' stock one reads every input through f32, which rounds int32 words
 * above 2^24 and so corrupts the packed halves.
 */
export class GatherHalfRowsProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey = 'gatherHalfRows';
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  variableNames = ['table', 'ids'];
  uniforms = 'first : i32, rows : i32, cols : i32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;

  constructor(n: number, cols: number) {
    this.outputShape = [n, cols];
    this.dispatch = [Math.ceil((n * cols) / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let row = ids[index / uniforms.cols] - uniforms.first;
      let col = index % uniforms.cols;
      var v = 0.0;
      if (row >= 0 && row < uniforms.rows) {
        v = ${halfAt('table', 'row * uniforms.cols + col')};
      }
      setOutputAtIndex(index, v);
    }
  }
  `;
  }
}
