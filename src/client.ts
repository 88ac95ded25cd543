/**
 * The main-thread side of the engine: starts the Worker and turns SessionApi calls into messages.
 * Every remote method comes from the one method table (REMOTE_METHODS), so nothing here is written
 * per method. Nothing here touches TF.js, so the page's bundle stays small and the UI thread free.
 */
import { REMOTE_METHODS, type EngineEvent, type RemoteMethod, type SessionApi } from './api.ts';
import { EngineError } from './errors.ts';
import type { RemoteArgs, RemoteResult, RequestMessage, WorkerMessage } from './protocol.ts';

export function createEngine(): SessionApi {
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

  function call<M extends RemoteMethod>(method: M, args: RemoteArgs<M>): Promise<RemoteResult<M>> {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<RemoteResult<M>>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const message: RequestMessage<M> = { kind: 'request', id, method, args };
      worker.postMessage(message);
    });
  }

  const remote = Object.fromEntries(
    (Object.keys(REMOTE_METHODS) as RemoteMethod[]).map((method) => [method, (...args: RemoteArgs<typeof method>) => call(method, args)]),
  ) as Pick<SessionApi, RemoteMethod>;

  return {
    ...remote,
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
