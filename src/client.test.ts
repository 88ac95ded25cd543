/**
 * Both sides of the worker derive from one method table: the client built by createEngine() and the
 * worker's serveRequests() talk here through an in-process stand-in for the Worker (same message
 * shapes, results structured-cloned as postMessage would), with a real Session behind it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, DEFAULT_SPLIT, REMOTE_METHODS, type EngineEvent, type RemoteMethod } from './api.ts';
import { createEngine } from './client.ts';
import { decodeImagePng } from './data/decodeImagePng.ts';
import { EngineError } from './errors.ts';
import type { RequestMessage, WorkerMessage } from './protocol.ts';
import { serveRequests } from './session/dispatch.ts';
import { Session } from './session/session.ts';

const CSV = readFileSync(fileURLToPath(new URL('../public/datasets/plants-sample.csv', import.meta.url)));

/** What worker.ts does, in this process: a Session, serveRequests, messages both ways. */
class InProcessWorker {
  onmessage: ((e: { data: WorkerMessage }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  readonly session: Session;
  private readonly serve: (request: RequestMessage) => Promise<void>;
  static last: InProcessWorker | null = null;

  constructor() {
    const post = (message: WorkerMessage) => setTimeout(() => this.onmessage?.({ data: structuredClone(message) }));
    this.session = new Session({ decodeImage: decodeImagePng }, (event: EngineEvent) => post({ kind: 'event', event }));
    this.serve = serveRequests(this.session, post);
    InProcessWorker.last = this;
  }

  postMessage(request: RequestMessage): void {
    void this.serve(request);
  }

  terminate(): void {
    this.session.dispose();
  }
}

const realWorker = (globalThis as { Worker?: unknown }).Worker;
afterEach(() => {
  (globalThis as { Worker?: unknown }).Worker = realWorker;
});

function engineInProcess() {
  (globalThis as { Worker?: unknown }).Worker = InProcessWorker;
  return createEngine();
}

describe('the worker client', () => {
  it('has every method of the table, and the session answers every one', () => {
    const engine = engineInProcess();
    const session = InProcessWorker.last!.session as unknown as Record<RemoteMethod, unknown>;
    for (const method of Object.keys(REMOTE_METHODS) as RemoteMethod[]) {
      expect(typeof engine[method], method).toBe('function');
      expect(typeof session[method], method).toBe('function');
    }
    engine.dispose();
  });

  it('carries calls, results, events and EngineErrors across the boundary', async () => {
    const engine = engineInProcess();
    const events: EngineEvent[] = [];
    engine.subscribe((e) => events.push(e));
    const error = await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'no-model' });
    expect((await engine.setBackend('cpu')).name).toBe('cpu');
    expect((await engine.importCsv('plants', new Blob([CSV]), { split: DEFAULT_SPLIT })).labelColumn).toBe('species');
    await engine.loadTabularModel();
    await engine.setPlan({ dense_1: { kind: 'full' } }, 32);
    const result = await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 2, batchSize: 32 });
    expect(result.task).toBe('classifier');
    expect(result.evals.map((e) => e.epoch)).toEqual([1, 2]);
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(result.steps);
    expect(events.some((e) => e.type === 'trainedRun' && e.info.present)).toBe(true);
    engine.dispose();
    await expect(engine.listCheckpoints()).rejects.toMatchObject({ code: 'engine-disposed' });
  });

  it('refuses a method that is not in the table', async () => {
    const engine = engineInProcess();
    const replies: WorkerMessage[] = [];
    const worker = InProcessWorker.last!;
    const serve = serveRequests(worker.session, (m) => replies.push(m));
    await serve({ kind: 'request', id: 1, method: 'dispose' as RemoteMethod, args: [] } as RequestMessage);
    await serve({ kind: 'request', id: 2, method: 'constructor' as RemoteMethod, args: [] } as RequestMessage);
    expect(replies).toEqual([
      { kind: 'response', id: 1, ok: false, error: { code: 'bad-request', message: 'The engine has no method "dispose".' } },
      { kind: 'response', id: 2, ok: false, error: { code: 'bad-request', message: 'The engine has no method "constructor".' } },
    ]);
    engine.dispose();
  });
});
