/**
 * Multi-threaded WASM: TF.js' threaded SIMD build (XNNPACK on a pool of pthreads) started by our own
 * factory for the 'wasm' backend, in Node and in a cross-origin isolated browser alike.
 *
 * Why not TF.js' own start-up: it never picks the threaded build under Node (its
 * WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired false there, tfjs#3830), and in a browser it makes
 * the pthread workers' main script from `factory.toString()`, which no longer stands alone once the
 * factory is bundled ("e is not defined"). Here the environment says where the unbundled glue, its
 * pthread worker script and the .wasm are (Node: files from node_modules, see src/cli/nodeWasmThreads.ts;
 * the studio: assets Vite emits, see src/worker.ts), and the factory hands Emscripten those real
 * paths/URLs. Anything that stops the threaded start falls back to TF.js' stock single-thread
 * factory, and the reason is kept for the BackendReport.
 */
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as threadedGlue from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import { tf } from '../tf.ts';
import { useGemmHelpers, type GemmHelperSetup } from '../kernels/wasm/gemmThreads.ts';

/** Where the threaded build's pieces are, and how many threads to start. */
export interface WasmThreadsSetup {
  /** Threads wanted (XNNPACK's pool, the calling thread included). 1 = TF.js' stock single-thread build. */
  threads: number;
  /** Path (Node) or URL (browser) of the unbundled tfjs-backend-wasm-threaded-simd.js: each pthread worker loads it. */
  glue: string;
  /** Path or URL of the pthread worker script (TF.js' `wasmWorkerContents`, as a file). */
  worker: string;
  /** The threaded .wasm's bytes. */
  wasmBinary: () => Promise<BufferSource>;
  /** Set when the environment already knows threads cannot start: why, in a sentence (runs 1 thread). */
  unavailable?: string;
  /** Starts one helper thread for our GEMM (kernels/wasm/gemmThreads.ts); absent: it runs on the calling thread only. */
  gemmHelper?: GemmHelperSetup['spawn'];
  /**
   * XNNPACK's pool, the calling thread included (default `threads`). Its workers spin for a while
   * after each op before they sleep, on the cores our GEMM's helpers need: 1 gives a language-model
   * step's products the cores alone, but runs convolutions on one thread (docs/benchmarks.md, "Two
   * pools on two cores").
   */
  poolThreads?: number;
}

/** The threaded start never takes this long when it works (8 workers load the module); a hang falls back. */
const START_TIMEOUT_MS = 60_000;
const WASM_PRIORITY = 2; // TF.js' own priority for 'wasm': auto-selection order is unchanged.

let setup: WasmThreadsSetup | null = null;
let stockFactory: (() => Promise<tf.KernelBackend> | tf.KernelBackend) | null = null;
/** Why the running WASM backend has fewer threads than asked (null: it has what was asked, or 1 was asked). */
let threadsNote: string | null = null;

/**
 * Sets where the threaded build is and how many threads to run, and installs the factory. Call before
 * the WASM backend first starts (its thread pool is fixed for the process once it has).
 */
export function useWasmThreads(next: WasmThreadsSetup): void {
  setup = next;
  // The GEMM's helpers run beside XNNPACK's pool, on the same shared heap: as many threads in all.
  useGemmHelpers(next.gemmHelper ? { threads: next.threads, spawn: next.gemmHelper } : null);
  installWasmFactory();
}

/**
 * XNNPACK's pool for the next start of the WASM backend (undefined: as many as `threads`). The
 * language-model path gives 1: its products run on our GEMM's helpers, and the pool's spinning
 * workers only slowed them (docs/benchmarks.md, "Two pools on two cores").
 */
export function setWasmPoolThreads(pool: number | undefined): void {
  if (!setup) return;
  const { poolThreads: _, ...rest } = setup;
  setup = pool === undefined ? rest : { ...rest, poolThreads: pool };
}

let running = 1;
/** Threads the running WASM backend works on: its GEMM's (XNNPACK's pool may have fewer). */
export function wasmThreadCount(): number {
  return running;
}

/** Why WASM runs on fewer threads than asked, for the BackendReport (undefined when it runs what was asked). */
export function wasmThreadsNote(): string | undefined {
  return threadsNote ?? undefined;
}

function installWasmFactory(): void {
  if (stockFactory) return;
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  // A WASM backend already started keeps its build and threads (the report says how many it runs).
  if (engine.registry.wasm) return;
  stockFactory = tf.findBackendFactory('wasm');
  if (!stockFactory) throw new Error('The WASM backend (@tensorflow/tfjs-backend-wasm) is not imported.');
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', startWasm, WASM_PRIORITY);
}

async function startWasm(): Promise<tf.KernelBackend> {
  threadsNote = null;
  running = 1;
  const want = Math.max(1, Math.floor(setup?.threads ?? 1));
  setThreadsCount(want);
  if (want > 1 && setup) {
    const missing = setup.unavailable ?? (await whyNoThreads());
    if (missing) threadsNote = `1 thread (${want} asked): ${missing}`;
    else {
      try {
        const backend = await startThreaded(setup, want);
        running = want;
        return backend;
      } catch (e) {
        threadsNote = `1 thread (${want} asked): the threaded WASM build did not start (${e instanceof Error ? e.message : String(e)}).`;
      }
    }
  }
  setThreadsCount(1);
  // In an isolated page TF.js' own start-up would pick the threaded build and its blob: workers,
  // which fail once bundled (above): the stock factory gets the single-thread SIMD build.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return await stockFactory!();
}

/** What this runtime lacks for WASM threads, in a sentence (null: nothing). */
async function whyNoThreads(): Promise<string | null> {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  if (!tf.env().getBool('IS_NODE') && g.crossOriginIsolated !== true) {
    return 'the page is not cross-origin isolated; serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (README, "Serving the studio").';
  }
  if (typeof g.SharedArrayBuffer !== 'function') return 'this runtime has no SharedArrayBuffer.';
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) return 'this runtime has no WebAssembly SIMD, which the threaded build needs.';
  return null;
}

const HEAP_VIEWS = { HEAP8: Int8Array, HEAPU8: Uint8Array, HEAP16: Int16Array, HEAPU16: Uint16Array, HEAP32: Int32Array, HEAPU32: Uint32Array, HEAPF32: Float32Array, HEAPF64: Float64Array };

/**
 * Shared memory that grows gets a new, longer buffer, and the glue renews Module.HEAP* only on the
 * thread that grew it. A pool thread may grow it, so the main thread's views (which BackendWasm and
 * the kernels read tensors through) are renewed whenever they lag behind the memory.
 */
function freshHeapViews(module: ThreadedModule): void {
  const target = module as unknown as Record<string, ArrayBufferView>;
  for (const [name, View] of Object.entries(HEAP_VIEWS)) {
    let view = target[name]!;
    Object.defineProperty(target, name, {
      configurable: true,
      get: () => {
        const buffer = module.wasmMemory.buffer;
        if (view.buffer !== buffer) view = new View(buffer);
        return view;
      },
      set: (next: ArrayBufferView) => (view = next),
    });
  }
}

/** A pool worker as the glue holds it: a Web Worker, or in Node a worker_threads Worker (an EventEmitter). */
interface PoolWorker {
  unref?: () => void;
  on?: (event: 'error', listener: (e: unknown) => void) => void;
  addEventListener?: (event: 'error', listener: (e: unknown) => void) => void;
  onerror?: ((e: unknown) => void) | null;
}

/**
 * A worker that cannot load its script must end the start in a fallback, not in an exception: the
 * glue's own handler rethrows (in Node an uncaught exception ends the process), and a Node worker
 * with no 'error' listener throws too. Every pool worker gets a listener that reports to `report`,
 * and the glue's handler (set once the module is loaded) is replaced by the same.
 */
function quietWorkerErrors(pool: ThreadedModule['PThread'] | undefined, report: (reason: Error) => void): void {
  const onError = (e: unknown): void => {
    const message = e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e);
    report(new Error(`a thread worker failed: ${message}`));
  };
  for (const w of [...(pool?.unusedWorkers ?? []), ...(pool?.runningWorkers ?? [])]) {
    if (w.onerror !== undefined && w.onerror !== null) w.onerror = onError;
    if ((w as { tabtuneQuiet?: boolean }).tabtuneQuiet) continue;
    (w as { tabtuneQuiet?: boolean }).tabtuneQuiet = true;
    if (w.on) w.on('error', onError);
    else w.addEventListener?.('error', onError);
  }
}

/** The Emscripten module as far as this file and BackendWasm use it. */
interface ThreadedModule {
  wasmMemory: WebAssembly.Memory;
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: PoolWorker[]; unusedWorkers: PoolWorker[]; terminateAllThreads(): void };
  tfjs?: unknown;
}
type Factory = (config: Record<string, unknown>) => Promise<ThreadedModule>;
const threadedFactory: Factory = ((threadedGlue as { default?: unknown }).default ?? threadedGlue) as Factory;

async function startThreaded(where: WasmThreadsSetup, threads: number): Promise<tf.KernelBackend> {
  let fail: (reason: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  // A worker error before the module is ready fails the start (a fallback); after, it is only logged.
  let settled = false;
  const workerError = (e: Error): void => (settled ? console.error(`WASM thread: ${e.message}`) : fail(e));
  const config: Record<string, unknown> = {
    // The pthread workers importScripts() this (Node: eval of the file): it must be the unbundled glue.
    mainScriptUrlOrBlob: where.glue,
    locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? where.worker : prefix + path),
    instantiateWasm: (imports: { env: Record<string, unknown> }, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
      // TF.js' C++ sizes the pool as min(asked, logical cores / 2) (it assumes 2 hyper-threads per
      // core), so 2 logical cores would give 1 thread whatever is asked. The thread count is the
      // caller's choice here (all cores by default), so the core count it sees is twice that.
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      where
        .wasmBinary()
        .then((bytes) => WebAssembly.instantiate(bytes, imports as WebAssembly.Imports))
        .then((r) => {
          receive(r.instance, r.module);
          quietWorkerErrors(config.PThread as ThreadedModule['PThread'], workerError);
        })
        .catch((e: unknown) => fail(new Error(`the threaded .wasm did not load: ${e instanceof Error ? e.message : String(e)}`)));
      return {};
    },
    printErr: (text: string) => {
      // A pthread worker that cannot load its script only says so here; the start would wait forever.
      if (text.includes('worker sent an error')) fail(new Error(`a thread worker failed: ${text.replace(/^worker sent an error!\s*/, '')}`));
      else console.warn(text);
    },
    onAbort: (what: unknown) => fail(new Error(`aborted: ${String(what)}`)),
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the thread workers within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  });
  let module: ThreadedModule;
  try {
    const started = threadedFactory(config);
    // The factory has created its workers by now; one whose script fails may say so before the glue listens.
    quietWorkerErrors(config.PThread as ThreadedModule['PThread'], workerError);
    module = await Promise.race([started, failed, timeout]);
  } catch (e) {
    (config.PThread as ThreadedModule['PThread'] | undefined)?.terminateAllThreads();
    throw e;
  } finally {
    settled = true;
    clearTimeout(timer);
  }
  // The same bridge TF.js' init() builds (dist/backend_wasm.js), which BackendWasm calls.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  freshHeapViews(module);
  setThreadsCount(Math.max(1, Math.min(threads, Math.floor(where.poolThreads ?? threads))));
  const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  // Node: an idle pool thread must not keep the process alive once the work is done.
  for (const w of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) w.unref?.();
  return backend;
}
