/**
 * The vec4 variant of the fused LoRA matmul (LoraMatMulProgram in fusedLoraLinearPrograms.ts):
 *   out[M, N] = lhs[M, K] · op(rhs)[K, N] (+ bias[N]) (+ alpha * low[M, R] · op(up)[R, N])
 * for K and N multiples of 4. Same 32x32 output tile and 8x8 threads, each thread holding a 4x4
 * register tile (4 vec4 rows), but the operands are read and staged as vec4 (one load moves 4
 * values, and there is one bounds check per 4 values), and a thread's 4 output columns are written
 * as one vec4. When M, N or K is a multiple of the tile, that bound's checks are left out of the
 * shader entirely (TF.js' MatMulPackedProgram does the same with its fit flags).
 *
 * The inner loop, per 4 steps of k, 8 vec4 reads of shared memory feed 16 vec4 FMAs (64 multiply-
 * adds), where the scalar program does 32 scalar reads for the same work:
 *  - rhs row-major [K, N] (gpt2's Conv1D forward, nn.Linear's dx): the rhs tile is staged [k][n/4],
 *    and acc[i] += a[i].x * b[k] + a[i].y * b[k+1] + ... (vec4 over n), as TF.js does;
 *  - rhs stored [N, K] (nn.Linear's forward, Conv1D's dx): the rhs tile is staged [n][k/4], both
 *    tiles run along k, and acc[i] += a[i] · mat4x4(b0..b3) (one dot product per output column).
 * A packed-float16 rhs (halfRhs) is read as vec2<i32>, two words holding 4 halves, so the float16
 * path gets the same vec4 program.
 */
import type { WebGPUProgram } from '../../tf.ts';
import { TILE, type LoraMatMulFlags } from './fusedLoraLinearPrograms.ts';

const THREADS = 8; // 8x8 threads per workgroup
const VECS = TILE / 4; // vec4s across one 32-wide tile row
const LOADS = (TILE * VECS) / (THREADS * THREADS); // vec4 loads per thread per operand tile

/** Whether the vec4 program can run these shapes: every vec4 read and write must be whole and aligned. */
export function canUseVec4(k: number, n: number, flags: Pick<LoraMatMulFlags, 'transposeLhs'>): boolean {
  return !flags.transposeLhs && k % 4 === 0 && n % 4 === 0;
}

export class LoraMatMulVec4Program implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  variableNames: string[];
  variableComponents: number[];
  outputComponent = 4;
  uniforms = 'dimM : i32, dimN : i32, dimK : i32, dimR : i32, alpha : f32,';
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  private readonly flags: LoraMatMulFlags;
  /** Which of M, N, K are multiples of the tile, so need no bounds checks. */
  private readonly fit: { m: boolean; n: boolean; k: boolean };

  constructor(m: number, n: number, k: number, flags: LoraMatMulFlags) {
    if (!canUseVec4(k, n, flags)) throw new Error(`LoraMatMulVec4Program needs K (${k}) and N (${n}) multiples of 4 and an untransposed lhs`);
    this.outputShape = [m, n];
    this.flags = flags;
    this.fit = { m: m % TILE === 0, n: n % TILE === 0, k: k % TILE === 0 };
    this.dispatch = [Math.ceil(n / TILE), Math.ceil(m / TILE), 1];
    // lhs vec4 along k; rhs vec4 along its stored rows (vec2<i32>: 4 packed halves); bias vec4 along n;
    // low and up scalar (R need not be a multiple of 4, and they are read R times per 4 outputs only).
    this.variableNames = ['lhs', 'rhs'];
    this.variableComponents = [4, flags.halfRhs ? 2 : 4];
    if (flags.hasBias) {
      this.variableNames.push('bias');
      this.variableComponents.push(4);
    }
    if (flags.hasLowRank) {
      this.variableNames.push('low', 'up');
      this.variableComponents.push(1, 1);
    }
    const f = flags;
    const fit = this.fit;
    this.shaderKey = `loraMatMulVec4_${+f.transposeRhs}${+f.transposeUp}${+f.hasBias}${+f.hasLowRank}${+f.halfRhs}_${+fit.m}${+fit.n}${+fit.k}`;
  }

  getUserCode(): string {
    const f = this.flags;
    const fit = this.fit;
    const M = 'uniforms.dimM';
    const N = 'uniforms.dimN';
    const K = 'uniforms.dimK';
    const R = 'uniforms.dimR';
    // rhs as stored: [K, N] (vec4 along n) or, transposed, [N, K] (vec4 along k).
    const [rhsRow, rhsCol, rhsCols] = f.transposeRhs ? ['n', 'k', K] : ['k', 'n', N];
    const rhsRead = f.halfRhs
      ? `let w = rhs[(${rhsRow} * ${rhsCols} + ${rhsCol}) / 4];
    return vec4<f32>(unpack2x16float(bitcast<u32>(w.x)), unpack2x16float(bitcast<u32>(w.y)));`
      : `return rhs[(${rhsRow} * ${rhsCols} + ${rhsCol}) / 4];`;
    const guard = (checks: string[]): string => (checks.length ? `if (${checks.join(' || ')}) { return vec4<f32>(0.0); }` : '');
    // Staging: tile element e of LOADS per thread -> (row, vec4 column) of a [32][8] vec4 tile.
    const rhsStage = f.transposeRhs
      ? 'tileR[r][c] = readRhs(tileCol + r, k0 + c * 4); // [n][k/4]'
      : 'tileR[r][c] = readRhs(k0 + r, tileCol + c * 4); // [k][n/4]';
    const inner = f.transposeRhs
      ? `for (var k4 = 0; k4 < ${VECS}; k4 = k4 + 1) {
        let b = mat4x4<f32>(tileR[tx * 4][k4], tileR[tx * 4 + 1][k4], tileR[tx * 4 + 2][k4], tileR[tx * 4 + 3][k4]);
        for (var i = 0; i < 4; i = i + 1) {
          acc[i] = acc[i] + tileL[ty * 4 + i][k4] * b; // [4 columns] = dot(a row, each column)
        }
      }`
      : `for (var k4 = 0; k4 < ${VECS}; k4 = k4 + 1) {
        let b0 = tileR[k4 * 4][tx];
        let b1 = tileR[k4 * 4 + 1][tx];
        let b2 = tileR[k4 * 4 + 2][tx];
        let b3 = tileR[k4 * 4 + 3][tx];
        for (var i = 0; i < 4; i = i + 1) {
          let a = tileL[ty * 4 + i][k4];
          acc[i] = fma(vec4<f32>(a.x), b0, fma(vec4<f32>(a.y), b1, fma(vec4<f32>(a.z), b2, fma(vec4<f32>(a.w), b3, acc[i]))));
        }
      }`;
    const upAt = (col: string): string => (f.transposeUp ? `up[(${col}) * ${R} + q]` : `up[q * ${N} + ${col}]`);
    return `
  var<workgroup> tileL : array<array<vec4<f32>, ${VECS}>, ${TILE}>; // [m][k/4]
  var<workgroup> tileR : array<array<vec4<f32>, ${VECS}>, ${TILE}>;

  fn readLhs(m : i32, k : i32) -> vec4<f32> {
    ${guard([...(fit.m ? [] : [`m >= ${M}`]), ...(fit.k ? [] : [`k >= ${K}`])])}
    return lhs[(m * ${K} + k) / 4];
  }
  fn readRhs(${rhsRow} : i32, ${rhsCol} : i32) -> vec4<f32> {
    ${guard([...(fit.k ? [] : [`k >= ${K}`]), ...(fit.n ? [] : [`n >= ${N}`])])}
    ${rhsRead}
  }

  fn main() {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let tid = ty * ${THREADS} + tx;
    let tileRow = i32(workgroupId.y) * ${TILE};
    let tileCol = i32(workgroupId.x) * ${TILE};
    var acc : array<vec4<f32>, 4>; // rows ty*4 + i, columns tx*4 .. tx*4 + 3
    let numTiles = (${K} + ${TILE - 1}) / ${TILE};
    for (var t = 0; t < numTiles; t = t + 1) {
      let k0 = t * ${TILE};
      // Neighbouring invocations read neighbouring vec4s of a stored row.
      for (var i = 0; i < ${LOADS}; i = i + 1) {
        let e = tid + i * ${THREADS * THREADS};
        let r = e / ${VECS};
        let c = e % ${VECS};
        tileL[r][c] = readLhs(tileRow + r, k0 + c * 4);
        ${rhsStage}
      }
      workgroupBarrier();
      ${inner}
      workgroupBarrier();
    }
    let n = tileCol + tx * 4;
    ${fit.n ? '' : `if (n >= ${N}) { return; }`}
    for (var i = 0; i < 4; i = i + 1) {
      let m = tileRow + ty * 4 + i;
      ${fit.m ? '' : `if (m >= ${M}) { break; }`}
      var v = acc[i];
      ${f.hasBias ? 'v = v + bias[n / 4];' : ''}
      ${
        f.hasLowRank
          ? `var d = vec4<f32>(0.0);
      for (var q = 0; q < ${R}; q = q + 1) {
        d = fma(vec4<f32>(low[m * ${R} + q]), vec4<f32>(${upAt('n')}, ${upAt('n + 1')}, ${upAt('n + 2')}, ${upAt('n + 3')}), d);
      }
      v = fma(vec4<f32>(uniforms.alpha), d, v);`
          : ''
      }
      result[(m * ${N} + n) / 4] = v;
    }
  }
  `;
  }
}
