/**
 * One GEMM product shared between the calling thread and helper threads, on TF.js' shared heap (the
 * threaded build). XNNPACK has its own pthread pool, but our GEMM runs outside it; the helpers are
 * workers of our own (gemmHelperScript.ts) that sleep on an Atomics word between products. A kernel
 * is synchronous, so the calling thread does its share and then waits for theirs: that needs a thread
 * that may block (a worker, or Node's main thread), which the engine always runs on.
 *
 * Shares: a range of batches when a product has at least one per thread (attention), else a range
 * of row tiles or of 8-column panels, whichever leaves less to pack twice (wasmGemm.ts, shareOf).
 * Each output is summed by one thread in the same order as on one thread, so the result is the same
 * to the bit. Small products stay on the calling thread: waking a helper costs tens of microseconds.
 */
import { GEMM_SCRATCH_BYTES, WasmGemm, gemmArgs, isSharedMemory, maxShares, shareOf, type GemmJob } from './wasmGemm.ts';

/** What the environment gives to run helpers (src/backend/wasmThreads.ts passes it on). */
export interface GemmHelperSetup {
  /** Threads in all, the calling one included: threads - 1 helpers. */
  threads: number;
  /** Starts one helper running gemmHelperScript.ts; its first message starts it. */
  spawn: () => { postMessage(message: unknown): void };
}

let helperSetup: GemmHelperSetup | null = null;

/** Sets how helpers start, for GEMMs made from now on (one per backend, on its first product). */
export function useGemmHelpers(setup: GemmHelperSetup | null): void {
  helperSetup = setup;
}

/** Int32 words per helper: [sequence, done, ready, 18 arguments] (gemmHelperScript.ts reads the same). */
const CONTROL_SLOT = 32;
const SEQ = 0;
const DONE = 1;
const READY = 2;
const ARGS = 3;
/**
 * Below this many flops a product stays on the calling thread. LoRA's products are about 4.7 MFLOP
 * (0.1-0.3 ms) at SmolLM2's shape: shared, they ran 0.6-1.3x as fast as alone, since waking a
 * helper costs about as much as it saves.
 */
const MIN_SHARED_FLOPS = 8e6;
/** How long the calling thread polls for a helper's share before it sleeps on it. */
const SPIN_MS = 1;
/** A helper that takes this long is taken for dead; its share is run here. */
const HELPER_TIMEOUT_MS = 120_000;

/** Whether this thread may block on Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class GemmThreads {
  private readonly own: WasmGemm;
  private readonly control: Int32Array;
  private readonly scratch: number[] = [];
  private readonly dead = new Set<number>();
  private seq = 0;
  /** Products shared with at least one helper so far (the bench and the tests read it). */
  sharedRuns = 0;
  /** Milliseconds the calling thread waited for helpers after its own share, so far (the bench reads it). */
  waitMs = 0;

  /** `malloc`: heap bytes for each thread's scratch, kept for the backend's life. */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, malloc: (bytes: number) => number, setup = helperSetup) {
    this.own = new WasmGemm(module, memory, malloc(GEMM_SCRATCH_BYTES));
    const helpers = setup && isSharedMemory(memory) && canBlock() ? Math.max(0, setup.threads - 1) : 0;
    // Without helpers, no SharedArrayBuffer: a page that is not cross-origin isolated has none.
    this.control = new Int32Array(helpers > 0 ? new SharedArrayBuffer(4 * CONTROL_SLOT * helpers) : new ArrayBuffer(4 * CONTROL_SLOT));
    for (let h = 0; h < helpers; h++) {
      this.scratch.push(malloc(GEMM_SCRATCH_BYTES));
      setup!.spawn().postMessage({ module, memory, control: this.control.buffer, slot: h });
    }
  }

  /** Helpers started and ready (a helper readies itself once it has compiled the module). */
  readyHelpers(): number[] {
    return this.scratch.map((_, h) => h).filter((h) => !this.dead.has(h) && Atomics.load(this.control, h * CONTROL_SLOT + READY) === 1);
  }

  run(job: GemmJob): void {
    const helpers = 2 * job.g * job.m * job.n * job.k >= MIN_SHARED_FLOPS ? this.readyHelpers() : [];
    const count = Math.min(1 + helpers.length, maxShares(job));
    if (count === 1) return this.own.multiply(job);
    this.sharedRuns++;
    const seq = ++this.seq;
    const posted: { h: number; share: NonNullable<ReturnType<typeof shareOf>> }[] = [];
    helpers.slice(0, count - 1).forEach((h, i) => {
      const share = shareOf(job, i + 1, count);
      if (!share) return;
      const at = h * CONTROL_SLOT;
      this.control.set(gemmArgs(share.job, share.j0, share.j1, this.scratch[h]!), at + ARGS);
      Atomics.store(this.control, at + SEQ, seq);
      Atomics.notify(this.control, at + SEQ);
      posted.push({ h, share });
    });
    const mine = shareOf(job, 0, count);
    if (mine) this.own.multiply(mine.job, mine.j0, mine.j1);
    const waitFrom = performance.now();
    for (const { h, share } of posted) {
      const done = h * CONTROL_SLOT + DONE;
      // Spin first: the helper runs on another core, and being woken from Atomics.wait cost this
      // thread about as much as the helper's lag itself (2-thread step, median of 9: 4.1 -> 3.7 s).
      const spinUntil = performance.now() + SPIN_MS;
      while (Atomics.load(this.control, done) !== seq && performance.now() < spinUntil);
      for (;;) {
        const seen = Atomics.load(this.control, done);
        if (seen === seq) break;
        if (Atomics.wait(this.control, done, seen, HELPER_TIMEOUT_MS) === 'timed-out') {
          this.dead.add(h);
          this.own.multiply(share.job, share.j0, share.j1);
          break;
        }
      }
    }
    this.waitMs += performance.now() - waitFrom;
  }
}
