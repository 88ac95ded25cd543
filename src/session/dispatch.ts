/**
 * The worker's side of the method table: a request names a method and its arguments; only names in
 * REMOTE_METHODS are called, on the session, with SessionApi's types, and exactly one response goes
 * back. Kept apart from worker.ts so the same code runs (and is tested) in Node.
 */
import { REMOTE_METHODS, type RemoteMethod, type SessionApi } from '../api.ts';
import { EngineError, toErrorInfo } from '../errors.ts';
import type { RemoteArgs, RemoteResult, RequestMessage, WorkerMessage } from '../protocol.ts';

export type Dispatch = <M extends RemoteMethod>(method: M, args: RemoteArgs<M>) => Promise<RemoteResult<M>>;

export function createDispatch(session: SessionApi): Dispatch {
  return async (method, args) => {
    if (typeof method !== 'string' || !Object.hasOwn(REMOTE_METHODS, method)) {
      throw new EngineError('bad-request', `The engine has no method ${JSON.stringify(method)}.`);
    }
    if (!Array.isArray(args)) throw new EngineError('bad-request', `The arguments of ${method} must be a list.`);
    const fn = session[method] as (...a: typeof args) => Promise<RemoteResult<typeof method>>;
    return fn.apply(session, args);
  };
}

/** Answers each request with one response message: the result, or the error as { code, message }. */
export function serveRequests(session: SessionApi, post: (message: WorkerMessage, transfer: Transferable[]) => void): (request: RequestMessage) => Promise<void> {
  const dispatch = createDispatch(session);
  return async ({ id, method, args }) => {
    try {
      const result = await dispatch(method, args);
      // Exported bytes move to the page instead of being copied.
      post({ kind: 'response', id, ok: true, result }, transferablesOf(result));
    } catch (error) {
      post({ kind: 'response', id, ok: false, error: toErrorInfo(error) }, []);
    }
  };
}

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
