/// <reference lib="webworker" />
/**
 * The engine's Worker: receives requests from client.ts, runs them on one Session, posts responses
 * and events. Training runs here with its own step loop, so the page never waits on it.
 */
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { EngineEvent } from './api.ts';
import { gemmHelperUrl, glueUrl, workerUrl } from 'virtual:wasm-thread-scripts';
import { useWasmBinaries } from './backend/startBackend.ts';
import { useWasmThreads } from './backend/wasmThreads.ts';
import { decodeImageBrowser } from './data/decodeImageBrowser.ts';
import type { RequestMessage, WorkerMessage } from './protocol.ts';
import { serveRequests } from './session/dispatch.ts';
import { Session } from './session/session.ts';
import { defaultCheckpointStore } from './storage/checkpointStore.ts';

declare const self: DedicatedWorkerGlobalScope;

// The WASM binaries ship with the app (bundled by Vite), never from a CDN.
useWasmBinaries({ plain: wasmUrl, simd: wasmSimdUrl, threadedSimd: wasmThreadedUrl });
// WASM on every core where the page is cross-origin isolated (else one thread, and the badge says why).
useWasmThreads({
  threads: self.navigator.hardwareConcurrency || 1,
  glue: glueUrl,
  worker: workerUrl,
  gemmHelper: () => new Worker(gemmHelperUrl),
  wasmBinary: async () => {
    const response = await fetch(wasmThreadedUrl);
    if (!response.ok) throw new Error(`${wasmThreadedUrl}: HTTP ${response.status}`);
    return response.arrayBuffer();
  },
});

const post = (message: WorkerMessage, transfer: Transferable[] = []): void => self.postMessage(message, transfer);
const session = new Session({ decodeImage: decodeImageBrowser, fetch: self.fetch.bind(self), checkpoints: defaultCheckpointStore() }, (event: EngineEvent) =>
  post({ kind: 'event', event }),
);
const serve = serveRequests(session, post);

self.onmessage = (e: MessageEvent<RequestMessage>) => void serve(e.data);

post({ kind: 'ready' });
