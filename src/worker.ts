/// <reference lib="webworker" />
/**
 * The engine's Worker: receives requests from client.ts, runs them on one Session, posts responses
 * and events. Training runs here with its own step loop, so the page never waits on it.
 */
import type { EngineEvent } from './api.ts';
import { useBrowserWasm } from './backend/useBrowserWasm.ts';
import { decodeImageBrowser } from './data/decodeImageBrowser.ts';
import type { RequestMessage, WorkerMessage } from './protocol.ts';
import { serveRequests } from './session/dispatch.ts';
import { Session } from './session/session.ts';
import { defaultCheckpointStore } from './storage/checkpointStore.ts';

declare const self: DedicatedWorkerGlobalScope;

// WASM on every core where the page is cross-origin isolated (else one thread, and the badge says why).
useBrowserWasm(self.navigator.hardwareConcurrency || 1);

const post = (message: WorkerMessage, transfer: Transferable[] = []): void => self.postMessage(message, transfer);
const session = new Session({ decodeImage: decodeImageBrowser, fetch: self.fetch.bind(self), checkpoints: defaultCheckpointStore() }, (event: EngineEvent) =>
  post({ kind: 'event', event }),
);
const serve = serveRequests(session, post);

self.onmessage = (e: MessageEvent<RequestMessage>) => void serve(e.data);

post({ kind: 'ready' });
