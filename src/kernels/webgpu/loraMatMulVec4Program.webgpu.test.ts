/**
 * The vec4 fused LoRA matmul on real WebGPU (Dawn; SwiftShader where no GPU exists): which program
 * each shape gets (vec4 when K and N are multiples of 4, the scalar one otherwise, recorded from the
 * programs actually dispatched), and the fused projection's output and gradients against the stock
 * op sequence within 1e-4 relative, on shapes that fill the 32x32 tile (no bounds checks compiled),
 * that are multiples of 4 but not of the tile, and that must fall back; float32 and packed-float16 W.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../backend/startBackend.ts';
import { createRng } from '../../data/rng.ts';
import { packHalves, unpackHalves } from '../../models/hf/halfWeights.ts';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { requireDawnGpu } from '../../testing/requireDawnGpu.ts';
import { tf, type Tensor, type Tensor2D, type WebGPUBackend } from '../../tf.ts';
import { fusedLoraLinear } from '../fusedLoraLinear.ts';
import { fusedLoraLinearReference, type FusedLoraLinearArgs } from '../fusedLoraLinearReference.ts';
import { canUseVec4 } from './loraMatMulVec4Program.ts';
import { maxRelativeError } from '../../testing/maxRelativeError.ts';

function values(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng() * 2 - 1);
}

/** The shader keys of the fused matmuls dispatched while f runs (forward and dx; not the thin ones). */
function loraMatMulKeys<T>(f: () => T): { out: T; keys: string[] } {
  const backend = tf.backend() as WebGPUBackend;
  const original = backend.runWebGPUProgram.bind(backend);
  const keys: string[] = [];
  backend.runWebGPUProgram = (...p: Parameters<WebGPUBackend['runWebGPUProgram']>) => {
    if (p[0].shaderKey.startsWith('loraMatMul')) keys.push(p[0].shaderKey);
    return original(...p);
  };
  try {
    return { out: f(), keys };
  } finally {
    backend.runWebGPUProgram = original;
  }
}

interface Case {
  n: number;
  inF: number;
  outF: number;
  r: number;
  transposeW: boolean;
  bias: boolean;
  /** W packed as float16 pairs (values float16 holds exactly; the reference gets them as float32). */
  half?: boolean;
  /** The program both the forward and dx matmuls must get. */
  want: 'vec4' | 'scalar';
}

const CASES: Case[] = [
  // Every dimension a multiple of the 32 tile: the vec4 shader without bounds checks.
  { n: 64, inF: 64, outF: 96, r: 8, transposeW: false, bias: true, want: 'vec4' },
  { n: 64, inF: 96, outF: 64, r: 8, transposeW: true, bias: true, want: 'vec4' },
  // Multiples of 4 but not of the tile: partial tiles in M, N and K.
  { n: 37, inF: 44, outF: 100, r: 3, transposeW: true, bias: true, want: 'vec4' },
  { n: 5, inF: 36, outF: 12, r: 8, transposeW: false, bias: false, want: 'vec4' },
  { n: 40, inF: 132, outF: 3 * 132, r: 4, transposeW: false, bias: true, want: 'vec4' },
  // Packed float16 W (vec2<i32> reads): both storage orders, partial tiles.
  { n: 37, inF: 44, outF: 100, r: 8, transposeW: true, bias: true, half: true, want: 'vec4' },
  { n: 64, inF: 64, outF: 68, r: 8, transposeW: false, bias: false, half: true, want: 'vec4' },
  // Not multiples of 4: the scalar program, forward and dx.
  { n: 16, inF: 769, outF: 64, r: 8, transposeW: false, bias: true, want: 'scalar' },
  { n: 9, inF: 64, outF: 70, r: 2, transposeW: true, bias: false, want: 'scalar' },
  { n: 9, inF: 46, outF: 70, r: 2, transposeW: false, bias: true, half: true, want: 'scalar' },
];

/** y and the gradients of sum(y * probe) for x, a, b (and bias). */
function evaluate(f: (args: FusedLoraLinearArgs) => Tensor2D, args: FusedLoraLinearArgs, probe: Tensor): Tensor[] {
  const wrt: (keyof FusedLoraLinearArgs)[] = ['x', 'a', 'b', ...(args.bias ? (['bias'] as const) : [])];
  return tf.tidy(() => {
    const g = tf.grads((...ts: Tensor[]) => {
      const a = { ...args } as Record<string, unknown>;
      wrt.forEach((k, i) => (a[k] = ts[i]));
      return tf.sum(tf.mul(f(a as unknown as FusedLoraLinearArgs), probe));
    });
    return [f(args), ...g(wrt.map((k) => args[k] as Tensor))];
  });
}

describe('vec4 fused LoRA matmul on WebGPU (Dawn)', () => {
  beforeAll(() => requireDawnGpu());
  beforeAll(async () => {
    const report = await startBackend('webgpu');
    expect(report.name).toBe('webgpu');
  });
  afterAll(() => tf.disposeVariables());

  it('is chosen exactly when K and N are multiples of 4', () => {
    expect(canUseVec4(768, 2304, { transposeLhs: false })).toBe(true);
    expect(canUseVec4(36, 12, { transposeLhs: false })).toBe(true);
    expect(canUseVec4(769, 2304, { transposeLhs: false })).toBe(false);
    expect(canUseVec4(768, 770, { transposeLhs: false })).toBe(false);
    expect(canUseVec4(768, 2304, { transposeLhs: true })).toBe(false);
  });

  for (const c of CASES) {
    const label = `N=${c.n} in=${c.inF} out=${c.outF} r=${c.r} transposeW=${c.transposeW} bias=${c.bias}${c.half ? ' W float16' : ''}`;
    it(`${label}: ${c.want} program, y, dx, dA, dB${c.bias ? ', dbias' : ''} within 1e-4 of the stock ops`, async () => {
      await expectNoTensorLeak(async () => {
        const wShape: [number, number] = c.transposeW ? [c.outF, c.inF] : [c.inF, c.outF];
        const wv = c.half ? unpackHalves(packHalves(values(c.inF * c.outF, 2)).words) : values(c.inF * c.outF, 2);
        const w32 = tf.tensor2d(wv, wShape);
        const w = c.half ? tf.tensor2d(packHalves(wv).words, [wShape[0], wShape[1] / 2], 'int32') : w32;
        const args: FusedLoraLinearArgs = {
          x: tf.tensor2d(values(c.n * c.inF, 1), [c.n, c.inF]),
          w,
          a: tf.tensor2d(values(c.r * c.inF, 3), [c.r, c.inF]),
          b: tf.tensor2d(values(c.outF * c.r, 4), [c.outF, c.r]),
          scale: 2,
          transposeW: c.transposeW,
        };
        if (c.bias) args.bias = tf.tensor1d(values(c.outF, 5));
        const probe = tf.tensor2d(values(c.n * c.outF, 6), [c.n, c.outF]);
        const { out: got, keys } = loraMatMulKeys(() => evaluate(fusedLoraLinear, args, probe));
        const want = evaluate(fusedLoraLinearReference, { ...args, w: w32 }, probe);
        // The forward runs twice (y, and inside tf.grads), then dx once.
        expect(keys.length).toBe(3);
        for (const key of keys) expect(key.startsWith('loraMatMulVec4_'), key).toBe(c.want === 'vec4');
        const names = ['y', 'dx', 'dA', 'dB', 'dbias'];
        for (let i = 0; i < want.length; i++) {
          expect(got[i]!.shape, names[i]).toEqual(want[i]!.shape);
          expect(maxRelativeError(await got[i]!.data(), await want[i]!.data()), `${names[i]} relative error`).toBeLessThan(1e-4);
        }
        tf.dispose([...got, ...want, probe, w32, ...Object.values(args).filter((v): v is Tensor => v instanceof tf.Tensor)]);
      });
    });
  }
});
