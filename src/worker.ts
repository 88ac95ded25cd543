/// <reference lib="webworker" />
/**
 * The engine's Worker: receives requests from client.ts, runs them on one Engine, posts responses
 * and events. Training runs here with its own step loop, so the page never waits on it.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { EngineEvent } from './api.ts';
import { decodeImageBrowser } from './data/decodeImageBrowser.ts';
import { Engine } from './engine.ts';
import { defaultCheckpointStore } from './storage/checkpointStore.ts';
import { toErrorInfo } from './errors.ts';
import type { RemoteMethod, RequestMessage, WorkerMessage } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

// The WASM binaries ship with the app (bundled by Vite), never from a CDN.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});

const post = (message: WorkerMessage, transfer: Transferable[] = []): void => self.postMessage(message, transfer);
const engine = new Engine({ decodeImage: decodeImageBrowser, fetch: self.fetch.bind(self), checkpoints: defaultCheckpointStore() }, (event: EngineEvent) =>
  post({ kind: 'event', event }),
);

type Handler = (...args: never[]) => unknown;
const handlers: Record<RemoteMethod, Handler> = {
  setBackend: (choice: Parameters<Engine['setBackend']>[0]) => engine.setBackend(choice),
  loadModel: (url: string) => engine.loadModel(url),
  loadModelFiles: (files: Parameters<Engine['loadModelFiles']>[0]) => engine.loadModelFiles(files),
  importImages: (...a: Parameters<Engine['importImages']>) => engine.importImages(...a),
  importCsv: (...a: Parameters<Engine['importCsv']>) => engine.importCsv(...a),
  loadTabularModel: (hidden?: number[]) => engine.loadTabularModel(hidden),
  setSplit: (split: Parameters<Engine['setSplit']>[0]) => engine.setSplit(split),
  setPlan: (...a: Parameters<Engine['setPlan']>) => engine.setPlan(...a),
  train: (config: Parameters<Engine['train']>[0]) => engine.train(config),
  stop: () => engine.stop(),
  pause: () => engine.pause(),
  resume: () => engine.resume(),
  predict: (image: Blob) => engine.predict(image),
  predictRow: (values: Record<string, string>) => engine.predictRow(values),
  lmLoadModel: (...a: Parameters<Engine['lmLoadModel']>) => engine.lmLoadModel(...a),
  lmImportText: (...a: Parameters<Engine['lmImportText']>) => engine.lmImportText(...a),
  lmSetPlan: (...a: Parameters<Engine['lmSetPlan']>) => engine.lmSetPlan(...a),
  lmTrain: (...a: Parameters<Engine['lmTrain']>) => engine.lmTrain(...a),
  lmGenerate: (...a: Parameters<Engine['lmGenerate']>) => engine.lmGenerate(...a),
  lmSetAdapterStrength: (...a: Parameters<Engine['lmSetAdapterStrength']>) => engine.lmSetAdapterStrength(...a),
  lmExportAdapter: () => engine.lmExportAdapter(),
  lmExportMerged: () => engine.lmExportMerged(),
  lmImportAdapter: (...a: Parameters<Engine['lmImportAdapter']>) => engine.lmImportAdapter(...a),
  exportWeights: () => engine.exportWeights(),
  exportBundle: () => engine.exportBundle(),
  importRun: (files: Parameters<Engine['importRun']>[0]) => engine.importRun(files),
  listCheckpoints: () => engine.listCheckpoints(),
  deleteCheckpoint: (runId: string) => engine.deleteCheckpoint(runId),
};

self.onmessage = async (e: MessageEvent<RequestMessage>) => {
  const { id, method, args } = e.data;
  try {
    const handler = handlers[method];
    const result = await (handler as (...a: unknown[]) => unknown)(...(args as unknown[]));
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
