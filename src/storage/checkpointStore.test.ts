/**
 * The atomic write protocol (chunks, checksum, pointer flip, old chunks dropped), on the memory
 * backend that shares it with IndexedDB (whose own path runs in e2e/checkpoints.spec.ts).
 */
import { describe, expect, it } from 'vitest';
import type { SavedRun } from '../api.ts';
import { chunkedCheckpointStore, memoryCheckpointStore, MAX_CHUNK_BYTES, requestPersistentStorage, sha256Hex, type ChunkBackend } from './checkpointStore.ts';
import { isQuotaError } from './fileCache.ts';

const summary = (runId: string, step: number, savedAt = step): SavedRun => ({
  runId,
  kind: 'table',
  startedAt: 0,
  savedAt,
  step,
  totalSteps: 10,
  finished: false,
  bytes: 0,
  modelName: 'm',
  datasetName: 'd',
  name: 'm · d',
});
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('checkpoint store', () => {
  it('writes in chunks, reads back verified, and keeps only the latest checkpoint per run', async () => {
    const store = memoryCheckpointStore({ chunkBytes: 10 });
    await store.put('a', bytes(25, 1), summary('a', 1));
    expect(store.chunks.size).toBe(3);
    expect([...store.chunks.values()].every((c) => c.byteLength <= 10)).toBe(true);
    await store.put('a', bytes(12, 2), summary('a', 2));
    expect(store.chunks.size).toBe(2); // the step-1 chunks went after the flip
    expect(await store.latest('a')).toEqual(bytes(12, 2));
    expect(store.pointers.get('a')!.sha256).toBe(await sha256Hex(bytes(12, 2)));
    expect(await store.latest('nope')).toBeNull();
  });

  it('lists runs newest first with their sizes, and deletes them whole', async () => {
    const store = memoryCheckpointStore();
    await store.put('old', bytes(5, 1), summary('old', 1, 100));
    await store.put('new', bytes(7, 1), summary('new', 3, 200));
    expect((await store.list()).map((r) => [r.runId, r.bytes, r.step])).toEqual([
      ['new', 7, 3],
      ['old', 5, 1],
    ]);
    await store.delete('old');
    expect((await store.list()).map((r) => r.runId)).toEqual(['new']);
    expect(store.chunks.size).toBe(1);
  });

  it('refuses a damaged checkpoint', async () => {
    const store = memoryCheckpointStore();
    await store.put('a', bytes(8, 1), summary('a', 1));
    const [key, chunk] = [...store.chunks][0]!;
    chunk[3] = 9;
    store.chunks.set(key, chunk);
    await expect(store.latest('a')).rejects.toThrow(/damaged/);
  });

  it('keeps the previous checkpoint intact when the quota is exceeded', async () => {
    const store = memoryCheckpointStore({ quotaBytes: 30, chunkBytes: 8 });
    await store.put('a', bytes(16, 1), summary('a', 1));
    const error = await store.put('a', bytes(24, 2), summary('a', 2)).catch((e: unknown) => e);
    expect(isQuotaError(error)).toBe(true);
    expect(await store.latest('a')).toEqual(bytes(16, 1));
    expect((await store.list())[0]!.step).toBe(1);
    expect(store.chunks.size).toBe(2); // the partial new chunks were cleaned up
  });

  it('keeps the previous checkpoint when the pointer flip fails', async () => {
    const inner = memoryCheckpointStore();
    let failFlip = false;
    const chunks = new Map<string, Uint8Array>();
    const backend: ChunkBackend = {
      putChunk: async (id, i, b) => void chunks.set(`${id}#${i}`, b),
      getChunk: async (id, i) => chunks.get(`${id}#${i}`) ?? null,
      deleteChunks: async (id) => [...chunks.keys()].filter((k) => k.startsWith(`${id}#`)).forEach((k) => chunks.delete(k)),
      flip: async (p) => {
        if (failFlip) throw new Error('tab closed');
        const old = inner.pointers.get(p.runId) ?? null;
        inner.pointers.set(p.runId, p);
        return old;
      },
      pointer: async (r) => inner.pointers.get(r) ?? null,
      pointers: async () => [...inner.pointers.values()],
      remove: async (r) => void inner.pointers.delete(r),
    };
    const store = chunkedCheckpointStore(backend, 4);
    await store.put('a', bytes(6, 1), summary('a', 1));
    failFlip = true;
    await expect(store.put('a', bytes(6, 2), summary('a', 2))).rejects.toThrow(/tab closed/);
    expect(await store.latest('a')).toEqual(bytes(6, 1));
    expect(chunks.size).toBe(2);
  });

  it('caps chunks at 64 MiB', () => {
    expect(() => memoryCheckpointStore({ chunkBytes: MAX_CHUNK_BYTES + 1 })).toThrow(RangeError);
  });

  it('asks for persistent storage only where the API exists', async () => {
    expect(await requestPersistentStorage()).toBe(false);
  });
});
