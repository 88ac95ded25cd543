/**
 * The GEMM helper thread's script, as text: the command line starts it with worker_threads' `eval`
 * (src/cli/nodeWasmThreads.ts), the studio's build emits it as a file of its own origin (vite.config.ts,
 * `virtual:wasm-thread-scripts`), as it does for TF.js' pthread worker, since the CSP allows no blob:
 * workers. Plain JavaScript that stands alone: it is never bundled or transpiled.
 *
 * A helper gets one message, { module, memory, control, slot }, instantiates the GEMM on the shared
 * heap, says it is ready, and then loops: it sleeps on its slot's sequence number (Atomics.wait),
 * runs the arguments the calling thread wrote beside it, and publishes the number as done.
 * gemmThreads.ts is the other side; the slot layout is CONTROL_SLOT there.
 */
export const GEMM_HELPER_SOURCE = `'use strict';
function runGemmHelper(init) {
  var gemm = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports.gemm;
  var control = new Int32Array(init.control);
  var at = init.slot * 32; // [sequence, done, ready, 18 arguments]
  var seq = 0;
  Atomics.store(control, at + 2, 1);
  for (;;) {
    Atomics.wait(control, at, seq);
    seq = Atomics.load(control, at);
    gemm.apply(null, Array.from(control.subarray(at + 3, at + 21)));
    Atomics.store(control, at + 1, seq);
    Atomics.notify(control, at + 1);
  }
}
`;

/** The script a browser Worker runs (a classic worker: the first message starts the loop). */
export const GEMM_HELPER_BROWSER_SCRIPT = `${GEMM_HELPER_SOURCE}self.onmessage = function (e) { runGemmHelper(e.data); };\n`;

/** The script Node's worker_threads run with `eval: true` (CommonJS). */
export const GEMM_HELPER_NODE_SCRIPT = `${GEMM_HELPER_SOURCE}require('node:worker_threads').parentPort.once('message', runGemmHelper);\n`;
