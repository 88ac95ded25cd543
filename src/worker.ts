/// <reference lib="webworker" />
/**
 * The engine's Worker: receives requests from client.ts, runs them on one Session, posts responses
 * and events. Training runs here with its own step loop, so the page never waits on it.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { REMOTE_METHODS, type EngineEvent, type RemoteMethod, type SessionApi } from './api.ts';
import { decodeImageBrowser } from './data/decodeImageBrowser.ts';
import { EngineError, toErrorInfo } from './errors.ts';
import type { RemoteArgs, RemoteResult, RequestMessage, WorkerMessage } from './protocol.ts';
import { Session } from './session/session.ts';
import { defaultCheckpointStore } from './storage/checkpointStore.ts';

declare const self: DedicatedWorkerGlobalScope;

// The WASM binaries ship with the app (bundled by Vite), never from a CDN.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});

const post = (message: WorkerMessage, transfer: Transferable[] = []): void => self.postMessage(message, transfer);
const session: SessionApi = new Session({ decodeImage: decodeImageBrowser, fetch: self.fetch.bind(self), checkpoints: defaultCheckpointStore() }, (event: EngineEvent) =>
  post({ kind: 'event', event }),
);

/** Calls `method` on the session: the method table says which names may arrive, SessionApi what they take. */
function dispatch<M extends RemoteMethod>(method: M, args: RemoteArgs<M>): Promise<RemoteResult<M>> {
  if (!Object.hasOwn(REMOTE_METHODS, method)) return Promise.reject(new EngineError('bad-request', `The engine has no method "${String(method)}".`));
  const fn = session[method] as (...a: RemoteArgs<M>) => Promise<RemoteResult<M>>;
  return fn.apply(session, args);
}

self.onmessage = async (e: MessageEvent<RequestMessage>) => {
  const { id, method, args } = e.data;
  try {
    const result = await dispatch(method, args);
    // Exported bytes move to the page instead of being copied.
    const transfer = transferablesOf(result);
    post({ kind: 'response', id, ok: true, result }, transfer);
  } catch (error) {
    post({ kind: 'response', id, ok: false, error: toErrorInfo(error) });
  }
};

post({ kind: 'ready' });

/** The big byte arrays of an export result (safetensors, zip), handed over rather than copied. */
function transferablesOf(result: unknown): Transferable[] {
  if (!result || typeof result !== 'object') return [];
  const out: Transferable[] = [];
  for (const key of ['safetensors', 'zip']) {
    const value = (result as Record<string, unknown>)[key];
    if (value instanceof Uint8Array) out.push(value.buffer as ArrayBuffer);
  }
  return out;
}
