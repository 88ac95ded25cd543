/**
 * GemmThreads with real helper threads (worker_threads running gemmHelperScript.ts on a shared
 * memory, as the command line starts them): the shared product is the one-thread product to the bit,
 * and the helpers really ran their shares.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GEMM_HELPER_NODE_SCRIPT } from './gemmHelperScript.ts';
import { GemmThreads } from './gemmThreads.ts';
import { GEMM_SCRATCH_BYTES, WasmGemm, gemmModule, type GemmJob } from './wasmGemm.ts';

const workers: Worker[] = [];
const spawn = (): Worker => {
  const w = new Worker(GEMM_HELPER_NODE_SCRIPT, { eval: true });
  workers.push(w);
  return w;
};

const memory = new WebAssembly.Memory({ initial: 512, maximum: 65536, shared: true }); // 32 MB
const heap = new Float32Array(memory.buffer);
let top = 1024;
const malloc = (bytes: number): number => {
  const at = top;
  top += Math.ceil(bytes / 64) * 64;
  return at;
};

async function readyThreads(threads: number): Promise<GemmThreads> {
  const pool = new GemmThreads(gemmModule(true)!, memory, malloc, { threads, spawn });
  const start = Date.now();
  while (pool.readyHelpers().length < threads - 1) {
    if (Date.now() - start > 30_000) throw new Error('the GEMM helpers did not start within 30 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  return pool;
}

/** A [g, m, k] x [g, n, k]ᵀ job on fresh operands (values exact in float32), and its output's floats. */
function job(g: number, m: number, k: number, n: number): { job: GemmJob; out: () => Float32Array } {
  const a = malloc(4 * g * m * k);
  const b = malloc(4 * g * n * k);
  const c = malloc(4 * g * m * n);
  for (let i = 0; i < g * m * k; i++) heap[a / 4 + i] = ((i * 7919) % 97) / 32 - 1.5;
  for (let i = 0; i < g * n * k; i++) heap[b / 4 + i] = ((i * 104729) % 89) / 32 - 1.375;
  heap.fill(Number.NaN, c / 4, c / 4 + g * m * n);
  return {
    job: { g, a, sa: 4 * m * k, ai: k, ak: 1, b, sb: 4 * n * k, bk: 1, bj: k, c, sc: 4 * m * n, ldc: n, m, k, n },
    out: () => heap.slice(c / 4, c / 4 + g * m * n),
  };
}

describe('GemmThreads', () => {
  beforeAll(() => setFlagsFromString('--experimental-wasm-relaxed-simd'));
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.terminate()));
  });

  it.each([
    ['columns (one product, 3 threads)', 1, 96, 200, 1030],
    ['batches (attention: 6 products of [64, 128] x [128, 128], 3 threads)', 6, 64, 128, 128],
    ['rows (few columns, as rotary\'s x·R: [2402, 96] x [96, 24], 3 threads)', 1, 2402, 96, 24],
  ])('shares %s, and gives the one-thread product to the bit', async (_, g, m, k, n) => {
    const pool = await readyThreads(3);
    const one = new WasmGemm(gemmModule(true)!, memory, malloc(GEMM_SCRATCH_BYTES));
    const shared = job(g, m, k, n);
    const single = { ...shared.job, c: malloc(4 * g * m * n) };
    // The helpers' scratch (after the pool's own) starts zeroed: a share they ran leaves packed panels there.
    const helperScratch = (pool as unknown as { scratch: number[] }).scratch;
    for (const s of helperScratch) heap.fill(0, s / 4, (s + GEMM_SCRATCH_BYTES) / 4);
    pool.run(shared.job);
    one.multiply(single);
    const want = heap.slice(single.c / 4, single.c / 4 + g * m * n);
    const got = shared.out();
    expect(got.some((v) => Number.isNaN(v))).toBe(false);
    expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    for (const s of helperScratch) expect(heap.subarray(s / 4, (s + GEMM_SCRATCH_BYTES) / 4).some((v) => v !== 0)).toBe(true);
  });

  it('runs on the calling thread where there is no SharedArrayBuffer at all (a page that is not cross-origin isolated)', () => {
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const saved = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer;
    try {
      const plain = new WebAssembly.Memory({ initial: 64 });
      const alone = new GemmThreads(gemmModule(false)!, plain, () => 1024, { threads: 2, spawn: () => { throw new Error('no helper may start without shared memory'); } });
      const f = new Float32Array(plain.buffer);
      const [a, b, c] = [1024 + GEMM_SCRATCH_BYTES, 1024 + GEMM_SCRATCH_BYTES + 64, 1024 + GEMM_SCRATCH_BYTES + 128];
      f[a / 4] = 3;
      f[b / 4] = 5;
      alone.run({ g: 1, a, sa: 0, ai: 1, ak: 1, b, sb: 0, bk: 1, bj: 1, c, sc: 0, ldc: 1, m: 1, k: 1, n: 1 });
      expect(f[c / 4]).toBe(15);
    } finally {
      g.SharedArrayBuffer = saved;
    }
  });

  it('runs everything on the calling thread without shared memory, or without a setup', () => {
    const plain = new WebAssembly.Memory({ initial: 64 });
    const alone = new GemmThreads(gemmModule(false)!, plain, () => 0, { threads: 4, spawn: () => { throw new Error('no helper may start on an unshared heap'); } });
    expect(alone.readyHelpers()).toEqual([]);
    expect(new GemmThreads(gemmModule(true)!, memory, malloc, null).readyHelpers()).toEqual([]);
  });
});
