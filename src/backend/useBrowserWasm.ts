/**
 * WASM in a browser worker: the binaries that ship with the app (bundled by Vite, never from a CDN)
 * and the threaded build on `threads` threads where the page is cross-origin isolated (else one, and
 * the backend report says why). The engine worker (src/worker.ts) asks for every core; the browser
 * bench (scripts/browserBench/) for the count it times. Only Vite can resolve these imports.
 */
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { gemmHelperUrl, glueUrl, workerUrl } from 'virtual:wasm-thread-scripts';
import { useWasmBinaries } from './startBackend.ts';
import { useWasmThreads } from './wasmThreads.ts';

export function useBrowserWasm(threads: number): void {
  useWasmBinaries({ plain: wasmUrl, simd: wasmSimdUrl, threadedSimd: wasmThreadedUrl });
  useWasmThreads({
    threads,
    glue: glueUrl,
    worker: workerUrl,
    gemmHelper: () => new Worker(gemmHelperUrl),
    wasmBinary: async () => {
      const response = await fetch(wasmThreadedUrl);
      if (!response.ok) throw new Error(`${wasmThreadedUrl}: HTTP ${response.status}`);
      return response.arrayBuffer();
    },
  });
}
