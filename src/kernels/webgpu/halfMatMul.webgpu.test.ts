/**
 * Float16-stored frozen weights on real WebGPU (Dawn; SwiftShader where no GPU exists): the half
 * projection, the fused LoRA projection reading a packed W, the unpacked embedding rows and the
 * row-chunked head, each against the float32 path on the same backend. On weights float16 holds
 * exactly the results must agree to float32 rounding; on random float32 weights, within what
 * rounding each weight to float16 (relative 2^-11) can move a sum of |x|·|w|.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../backend/startBackend.ts';
import { createRng } from '../../data/rng.ts';
import { packHalves, unpackHalves } from '../../models/hf/halfWeights.ts';
import { gatherRows, matMulRows, weightedRows } from '../../models/hf/rowChunks.ts';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { requireDawnGpu } from '../../testing/requireDawnGpu.ts';
import { tf, type Tensor, type Tensor2D } from '../../tf.ts';
import { fusedLoraLinear } from '../fusedLoraLinear.ts';
import { isHalf, linear, logicalShape, unpackHalf } from '../halfMatMul.ts';

function values(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng() * 2 - 1);
}

/** Random values rounded to what float16 holds (so packing them is exact), as float32. */
function halfExactValues(n: number, seed: number): Float32Array {
  return unpackHalves(packHalves(values(n, seed)).words);
}

function packed(v: Float32Array, rows: number, cols: number): Tensor2D {
  return tf.tensor2d(packHalves(v).words, [rows, cols / 2], 'int32');
}

function maxAbsDiff(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Per output element, the bound on what float16 rounding of W moves it: 2^-11 · Σ|x||w|, taken over the whole output. */
async function roundingBound(x: Tensor, w: Tensor, transposeW: boolean): Promise<number> {
  const m = tf.tidy(() => tf.max(tf.matMul(tf.abs(x), tf.abs(w), false, transposeW)));
  const v = (await m.data())[0]!;
  m.dispose();
  return v * 2 ** -11;
}

/** y and the gradients of sum(y * probe) for the inputs listed, of f(x, ...rest). */
function withGrads(f: (...ts: Tensor[]) => Tensor, inputs: Tensor[], probe: Tensor): Tensor[] {
  return tf.tidy(() => [f(...inputs), ...tf.grads((...ts: Tensor[]) => tf.sum(tf.mul(f(...ts), probe)))(inputs)]);
}

describe('float16-stored weights on WebGPU (Dawn)', () => {
  beforeAll(() => requireDawnGpu());
  beforeAll(async () => {
    const report = await startBackend('webgpu');
    expect(report.name).toBe('webgpu');
  });
  afterAll(() => tf.disposeVariables());

  for (const { n, inF, outF, transposeW } of [
    { n: 37, inF: 46, outF: 70, transposeW: true },
    { n: 64, inF: 64, outF: 96, transposeW: false },
  ]) {
    it(`x[${n},${inF}]·op(W) transposeW=${transposeW}: output, dx and dbias equal the float32 path on float16-exact weights`, async () => {
      await expectNoTensorLeak(async () => {
        const shape: [number, number] = transposeW ? [outF, inF] : [inF, outF];
        const wv = halfExactValues(inF * outF, 2);
        const w32 = tf.tensor2d(wv, shape);
        const w16 = packed(wv, ...shape);
        expect(isHalf(w16)).toBe(true);
        expect(logicalShape(w16)).toEqual(shape);
        const x = tf.tensor2d(values(n * inF, 1), [n, inF]);
        const bias = tf.tensor1d(values(outF, 3));
        const probe = tf.tensor2d(values(n * outF, 4), [n, outF]);
        const got = withGrads((xx, bb) => linear(xx!, w16, transposeW, bb), [x, bias], probe);
        const want = withGrads((xx, bb) => linear(xx!, w32, transposeW, bb), [x, bias], probe);
        for (const [i, name] of ['y', 'dx', 'dbias'].entries()) {
          expect(got[i]!.shape, name).toEqual(want[i]!.shape);
          const scale = Math.max(...(await want[i]!.data()).map(Math.abs));
          expect(maxAbsDiff(await got[i]!.data(), await want[i]!.data()) / scale, name).toBeLessThan(1e-5);
        }
        tf.dispose([...got, ...want, w32, w16, x, bias, probe]);
      });
    });
  }

  it('on random float32 weights, stays within the float16 rounding bound of the float32 result', async () => {
    await expectNoTensorLeak(async () => {
      const wv = values(48 * 80, 5);
      const w32 = tf.tensor2d(wv, [80, 48]);
      const w16 = packed(wv, 80, 48);
      const x = tf.tensor2d(values(20 * 48, 6), [20, 48]);
      const got = linear(x, w16, true);
      const want = linear(x, w32, true);
      const diff = maxAbsDiff(await got.data(), await want.data());
      const bound = await roundingBound(x, w32, true);
      expect(diff).toBeLessThanOrEqual(bound * 1.01 + 1e-5);
      // and the rounding is really there (the test could fail): the two differ.
      expect(diff).toBeGreaterThan(0);
      tf.dispose([w32, w16, x, got, want]);
    });
  });

  it('the fused LoRA projection reads a packed W: y, dx, dA and dB equal the float32 W path', async () => {
    await expectNoTensorLeak(async () => {
      const [n, inF, outF, r] = [33, 40, 72, 4];
      const wv = halfExactValues(inF * outF, 7);
      const w32 = tf.tensor2d(wv, [outF, inF]);
      const w16 = packed(wv, outF, inF);
      const x = tf.tensor2d(values(n * inF, 8), [n, inF]);
      const a = tf.tensor2d(values(r * inF, 9), [r, inF]);
      const b = tf.tensor2d(values(outF * r, 10), [outF, r]);
      const probe = tf.tensor2d(values(n * outF, 11), [n, outF]);
      const f = (w: Tensor) => (xx: Tensor, aa: Tensor, bb: Tensor) => fusedLoraLinear({ x: xx as Tensor2D, w: w as Tensor2D, a: aa as Tensor2D, b: bb as Tensor2D, scale: 2, transposeW: true });
      const got = withGrads(f(w16) as (...ts: Tensor[]) => Tensor, [x, a, b], probe);
      const want = withGrads(f(w32) as (...ts: Tensor[]) => Tensor, [x, a, b], probe);
      for (const [i, name] of ['y', 'dx', 'dA', 'dB'].entries()) {
        const scale = Math.max(...(await want[i]!.data()).map(Math.abs));
        expect(maxAbsDiff(await got[i]!.data(), await want[i]!.data()) / scale, name).toBeLessThan(1e-5);
      }
      tf.dispose([...got, ...want, w32, w16, x, a, b, probe]);
    });
  });

  it('a packed table, whole and in row chunks: gathered rows, logits and weighted rows equal the float32 table', async () => {
    await expectNoTensorLeak(async () => {
      const [vocab, c] = [50, 24];
      const tv = halfExactValues(vocab * c, 12);
      const t32 = tf.tensor2d(tv, [vocab, c]);
      const whole16 = [packed(tv, vocab, c)];
      // Uneven chunks, as rowChunks.splitRows makes them (last one shorter).
      const chunks16 = [packed(tv.subarray(0, 20 * c), 20, c), packed(tv.subarray(20 * c, 40 * c), 20, c), packed(tv.subarray(40 * c), 10, c)];
      const ids = tf.tensor1d([0, 19, 20, 49, 7, 41], 'int32');
      const h = tf.tensor2d(values(6 * c, 13), [6, c]);
      const g = tf.tensor2d(values(6 * vocab, 14), [6, vocab]);
      for (const chunks of [whole16, chunks16]) {
        const rows = tf.tidy(() => gatherRows(chunks, ids));
        const wantRows = tf.gather(t32, ids);
        expect(Array.from(await rows.data())).toEqual(Array.from(await wantRows.data()));
        const logits = tf.tidy(() => matMulRows(h, chunks));
        const wantLogits = tf.matMul(h, t32, false, true);
        expect(maxAbsDiff(await logits.data(), await wantLogits.data())).toBeLessThan(1e-5);
        const weighted = tf.tidy(() => weightedRows(g, chunks));
        const wantWeighted = tf.matMul(g, t32);
        expect(maxAbsDiff(await weighted.data(), await wantWeighted.data())).toBeLessThan(1e-5);
        tf.dispose([rows, wantRows, logits, wantLogits, weighted, wantWeighted]);
      }
      tf.dispose([t32, ...whole16, ...chunks16, ids, h, g]);
    });
  });

  it('unpackHalf on the GPU gives the values the JS decoder gives', async () => {
    const v = halfExactValues(16 * 30, 15);
    const p = packed(v, 16, 30);
    const u = unpackHalf(p);
    expect(u.shape).toEqual([16, 30]);
    expect(Array.from(await u.data())).toEqual(Array.from(v));
    tf.dispose([p, u]);
  });
});
