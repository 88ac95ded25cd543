/**
 * Messages between the studio's main thread (client.ts) and the engine Worker (worker.ts).
 * Requests carry an id and get exactly one response; events flow from the worker at any time.
 */
import type { EngineApi, EngineErrorInfo, EngineEvent } from './api.ts';

/** The methods of EngineApi that are called remotely (subscribe and dispose stay local). */
export type RemoteMethod = Exclude<keyof EngineApi, 'subscribe' | 'dispose'>;

export type RemoteArgs<M extends RemoteMethod> = Parameters<EngineApi[M]>;
export type RemoteResult<M extends RemoteMethod> = Awaited<ReturnType<EngineApi[M]>>;

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
