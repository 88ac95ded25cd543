/**
 * The main-thread side of the engine: starts the Worker and turns EngineApi calls into messages.
 * Nothing here touches TF.js, so the page's bundle stays small and the UI thread stays free.
 */
import type { EngineApi, EngineEvent } from './api.ts';
import { EngineError } from './errors.ts';
import type { RemoteArgs, RemoteMethod, RemoteResult, RequestMessage, WorkerMessage } from './protocol.ts';

export function createEngine(): EngineApi {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'tabtune-engine' });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: EngineError) => void }>();
  const listeners = new Set<(event: EngineEvent) => void>();
  let nextId = 1;
  let dead: EngineError | null = null;

  worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
    const msg = e.data;
    if (msg.kind === 'event') {
      for (const listener of listeners) listener(msg.event);
    } else if (msg.kind === 'response') {
      const call = pending.get(msg.id);
      pending.delete(msg.id);
      if (!call) return;
      if (msg.ok) call.resolve(msg.result);
      else call.reject(new EngineError(msg.error.code, msg.error.message));
    }
  };
  worker.onerror = (e: ErrorEvent) => {
    // A worker that fails to start (or crashes) must not leave the page waiting forever.
    e.preventDefault();
    dead = new EngineError('engine-crashed', `The training engine stopped: ${e.message || 'the worker failed to start'}. Reload the page to start it again.`);
    for (const call of pending.values()) call.reject(dead);
    pending.clear();
  };

  function call<M extends RemoteMethod>(method: M, ...args: RemoteArgs<M>): Promise<RemoteResult<M>> {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<RemoteResult<M>>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const message: RequestMessage<M> = { kind: 'request', id, method, args };
      worker.postMessage(message);
    });
  }

  return {
    setBackend: (choice) => call('setBackend', choice),
    loadModel: (url) => call('loadModel', url),
    loadModelFiles: (files) => call('loadModelFiles', files),
    importImages: (name, files, split) => call('importImages', name, files, split),
    importCsv: (name, file, options) => call('importCsv', name, file, options),
    loadTabularModel: (hidden) => call('loadTabularModel', hidden),
    setSplit: (split) => call('setSplit', split),
    setPlan: (plan, batchSize) => call('setPlan', plan, batchSize),
    train: (config) => call('train', config),
    stop: () => call('stop'),
    pause: () => call('pause'),
    resume: () => call('resume'),
    predict: (image) => call('predict', image),
    predictRow: (values) => call('predictRow', values),
    lmLoadModel: (source) => call('lmLoadModel', source),
    lmImportText: (name, file, options) => call('lmImportText', name, file, options),
    lmSetPlan: (plan, batchSize, maxLength) => call('lmSetPlan', plan, batchSize, maxLength),
    lmTrain: (config) => call('lmTrain', config),
    lmGenerate: (request) => call('lmGenerate', request),
    lmSetAdapterStrength: (strength) => call('lmSetAdapterStrength', strength),
    lmExportAdapter: () => call('lmExportAdapter'),
    lmExportMerged: () => call('lmExportMerged'),
    lmImportAdapter: (files) => call('lmImportAdapter', files),
    exportWeights: () => call('exportWeights'),
    exportBundle: () => call('exportBundle'),
    importRun: (files) => call('importRun', files),
    listCheckpoints: () => call('listCheckpoints'),
    deleteCheckpoint: (runId) => call('deleteCheckpoint', runId),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      worker.terminate();
      dead = new EngineError('engine-disposed', 'The engine was shut down.');
      for (const c of pending.values()) c.reject(dead);
      pending.clear();
      listeners.clear();
    },
  };
}
