/**
 * Messages between the studio's main thread (client.ts) and the engine Worker (worker.ts).
 * Requests carry an id and get exactly one response; events flow from the worker at any time.
 */
import type { EngineErrorInfo, EngineEvent, RemoteMethod, SessionApi } from './api.ts';

export type RemoteArgs<M extends RemoteMethod> = Parameters<SessionApi[M]>;
export type RemoteResult<M extends RemoteMethod> = Awaited<ReturnType<SessionApi[M]>>;

export interface RequestMessage<M extends RemoteMethod = RemoteMethod> {
  kind: 'request';
  id: number;
  method: M;
  args: RemoteArgs<M>;
}

export type WorkerMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: EngineErrorInfo }
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'ready' };
