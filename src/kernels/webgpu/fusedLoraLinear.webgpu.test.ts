/**
 * The fused LoRA projection on real WebGPU (Dawn in Node; SwiftShader where no GPU exists): forward
 * and every gradient (x, A, B, and W and b when asked for) against the plain-op reference, on shapes
 * that are and are not multiples of the 32x32 tile; and the dispatch counts it promises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../backend/startBackend.ts';
import { createRng } from '../../data/rng.ts';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { requireDawnGpu } from '../../testing/requireDawnGpu.ts';
import { tf, type Tensor, type Tensor2D, type WebGPUBackend } from '../../tf.ts';
import { fusedLoraLinear } from '../fusedLoraLinear.ts';
import { fusedLoraLinearReference, type FusedLoraLinearArgs } from '../fusedLoraLinearReference.ts';
import { maxRelativeError } from '../../testing/maxRelativeError.ts';

function randn(shape: number[], seed: number): Tensor2D {
  const rng = createRng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng() * 2 - 1), shape) as unknown as Tensor2D;
}

interface Case {
  n: number;
  inF: number;
  outF: number;
  r: number;
  transposeW: boolean;
  bias: boolean;
}

const CASES: Case[] = [
  { n: 64, inF: 64, outF: 96, r: 8, transposeW: false, bias: true },
  { n: 37, inF: 45, outF: 70, r: 8, transposeW: true, bias: false },
  { n: 5, inF: 33, outF: 31, r: 3, transposeW: false, bias: false },
  { n: 100, inF: 96, outF: 3 * 96, r: 4, transposeW: true, bias: true },
];

/** y and the gradients of sum(y * probe) w.r.t. the listed inputs. */
function evaluate(f: (args: FusedLoraLinearArgs) => Tensor2D, args: FusedLoraLinearArgs, probe: Tensor, wrt: (keyof FusedLoraLinearArgs)[]): Tensor[] {
  return tf.tidy(() => {
    const xs = wrt.map((k) => args[k] as Tensor);
    const g = tf.grads((...ts: Tensor[]) => {
      const a = { ...args } as Record<string, unknown>;
      wrt.forEach((k, i) => (a[k] = ts[i]));
      return tf.sum(tf.mul(f(a as unknown as FusedLoraLinearArgs), probe));
    });
    return [f(args), ...g(xs)];
  });
}

describe('fused LoRA linear on WebGPU (Dawn)', () => {
  // Fails, with what to install, where Dawn has no Vulkan driver to run on.
  beforeAll(() => requireDawnGpu());
  beforeAll(async () => {
    const report = await startBackend('webgpu');
    expect(report.name).toBe('webgpu');
  });
  afterAll(() => tf.disposeVariables());

  for (const c of CASES) {
    it(`N=${c.n} in=${c.inF} out=${c.outF} r=${c.r} transposeW=${c.transposeW} bias=${c.bias}: forward and gradients within 1e-4 of the reference`, async () => {
      await expectNoTensorLeak(async () => {
        const args: FusedLoraLinearArgs = {
          x: randn([c.n, c.inF], 1),
          w: randn(c.transposeW ? [c.outF, c.inF] : [c.inF, c.outF], 2),
          a: randn([c.r, c.inF], 3),
          b: randn([c.outF, c.r], 4),
          scale: 2,
          transposeW: c.transposeW,
        };
        if (c.bias) args.bias = randn([c.outF], 5);
        const probe = randn([c.n, c.outF], 6);
        const wrt: (keyof FusedLoraLinearArgs)[] = ['x', 'a', 'b', 'w', ...(c.bias ? (['bias'] as const) : [])];
        const got = evaluate(fusedLoraLinear, args, probe, wrt);
        const want = evaluate(fusedLoraLinearReference, args, probe, wrt);
        const names = ['y', ...wrt.map((k) => `d${k}`)];
        for (let i = 0; i < want.length; i++) {
          expect(got[i]!.shape, names[i]).toEqual(want[i]!.shape);
          const err = maxRelativeError(await got[i]!.data(), await want[i]!.data());
          expect(err, `${names[i]} relative error`).toBeLessThan(1e-4);
        }
        tf.dispose([...got, ...want, probe, ...Object.values(args).filter((v): v is Tensor => v instanceof tf.Tensor)]);
      });
    });
  }

  it('runs the forward in 2 dispatches and the backward in 3 (dA, dB) or 4 (dx, dA, dB)', () => {
    const backend = tf.backend() as WebGPUBackend;
    const original = backend.runWebGPUProgram.bind(backend);
    let count = 0;
    backend.runWebGPUProgram = (...p: Parameters<WebGPUBackend['runWebGPUProgram']>) => {
      count++;
      return original(...p);
    };
    try {
      const x = randn([40, 48], 1);
      const w = randn([48, 64], 2);
      const a = randn([8, 48], 3);
      const b = randn([64, 8], 4);
      const dy = randn([40, 64], 5);
      const fwd = (xx: Tensor, aa: Tensor, bb: Tensor): Tensor2D => fusedLoraLinear({ x: xx as Tensor2D, w, a: aa as Tensor2D, b: bb as Tensor2D, scale: 0.5, transposeW: false });
      count = 0;
      tf.dispose(fwd(x, a, b));
      expect(count).toBe(2);
      // x constant (the first block): forward 2, then dlow, dA, dB.
      count = 0;
      tf.dispose(tf.grads((aa: Tensor, bb: Tensor) => fwd(x, aa, bb))([a, b], dy));
      expect(count).toBe(2 + 3);
      // Every later block: dx too, one more fused matmul.
      count = 0;
      tf.dispose(tf.grads(fwd)([x, a, b], dy));
      expect(count).toBe(2 + 4);
      tf.dispose([x, w, a, b, dy]);
    } finally {
      backend.runWebGPUProgram = original;
    }
  });
});
