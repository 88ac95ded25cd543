/**
 * Where training checkpoints live: IndexedDB in the browser, memory in Node and tests. A checkpoint
 * is one byte string (train/checkpoint.ts) written atomically:
 *   1. its chunks (at most 64 MiB each) under a fresh checkpoint id, with its SHA-256;
 *   2. the run's small "latest" pointer flipped to the new id in one transaction;
 *   3. only then the previous checkpoint's chunks deleted.
 * A failure in 1 or 2 (a full disk, a closed tab) leaves the pointer on the previous checkpoint, whole.
 * Reading verifies the checksum. Both stores share this logic over a small chunk/pointer backend.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { SavedRun } from '../api.ts';

export interface CheckpointStore {
  /** Stores `bytes` as the run's latest checkpoint; rejects (the previous one intact) when it cannot. */
  put(runId: string, bytes: Uint8Array, summary: SavedRun): Promise<void>;
  /** The run's latest checkpoint, checksum verified; null when the run has none. */
  latest(runId: string): Promise<Uint8Array | null>;
  /** Every run with a checkpoint, newest first. */
  list(): Promise<SavedRun[]>;
  delete(runId: string): Promise<void>;
}

export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

/** The run's "latest" record: which checkpoint, in how many chunks, and its checksum. */
export interface CheckpointPointer {
  runId: string;
  checkpointId: string;
  chunks: number;
  bytes: number;
  sha256: string;
  summary: SavedRun;
}

/** The storage primitives the atomic protocol needs. */
export interface ChunkBackend {
  putChunk(checkpointId: string, index: number, bytes: Uint8Array): Promise<void>;
  getChunk(checkpointId: string, index: number): Promise<Uint8Array | null>;
  deleteChunks(checkpointId: string): Promise<void>;
  /** Writes the pointer and returns the one it replaced, in one transaction. */
  flip(pointer: CheckpointPointer): Promise<CheckpointPointer | null>;
  pointer(runId: string): Promise<CheckpointPointer | null>;
  pointers(): Promise<CheckpointPointer[]>;
  /** Removes the run's pointer and its chunks in one transaction. */
  remove(runId: string): Promise<void>;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

let sequence = 0;

export function chunkedCheckpointStore(backend: ChunkBackend, chunkBytes = MAX_CHUNK_BYTES): CheckpointStore {
  if (!(chunkBytes > 0 && chunkBytes <= MAX_CHUNK_BYTES)) throw new RangeError(`chunkBytes must be in (0, ${MAX_CHUNK_BYTES}], got ${chunkBytes}`);
  return {
    async put(runId, bytes, summary) {
      const checkpointId = `${runId}@${Date.now().toString(36)}-${(sequence++).toString(36)}`;
      const chunks = Math.max(1, Math.ceil(bytes.byteLength / chunkBytes));
      const sha256 = await sha256Hex(bytes);
      try {
        for (let i = 0; i < chunks; i++) await backend.putChunk(checkpointId, i, bytes.slice(i * chunkBytes, (i + 1) * chunkBytes));
      } catch (error) {
        await backend.deleteChunks(checkpointId).catch(() => {});
        throw error;
      }
      let previous: CheckpointPointer | null;
      try {
        previous = await backend.flip({ runId, checkpointId, chunks, bytes: bytes.byteLength, sha256, summary: { ...summary, bytes: bytes.byteLength } });
      } catch (error) {
        await backend.deleteChunks(checkpointId).catch(() => {});
        throw error;
      }
      // The pointer is on the new checkpoint: the old chunks are garbage now (a failure here only wastes space).
      if (previous && previous.checkpointId !== checkpointId) await backend.deleteChunks(previous.checkpointId).catch(() => {});
    },
    async latest(runId) {
      const pointer = await backend.pointer(runId);
      if (!pointer) return null;
      const out = new Uint8Array(pointer.bytes);
      let offset = 0;
      for (let i = 0; i < pointer.chunks; i++) {
        const chunk = await backend.getChunk(pointer.checkpointId, i);
        if (!chunk || offset + chunk.byteLength > out.byteLength) throw corrupt(runId);
        out.set(chunk, offset);
        offset += chunk.byteLength;
      }
      if (offset !== pointer.bytes || (await sha256Hex(out)) !== pointer.sha256) throw corrupt(runId);
      return out;
    },
    async list() {
      const pointers = await backend.pointers();
      return pointers.map((p) => ({ ...p.summary, bytes: p.bytes })).sort((a, b) => b.savedAt - a.savedAt);
    },
    delete: (runId) => backend.remove(runId),
  };
}

function corrupt(runId: string): Error {
  return Object.assign(new Error(`The checkpoint of ${runId} is damaged (its checksum does not match): delete it.`), { code: 'checkpoint-corrupt' });
}

export interface MemoryCheckpointOptions {
  /** Pretend the store holds at most this many bytes of chunks: a put past it fails as a quota error (for tests). */
  quotaBytes?: number;
  chunkBytes?: number;
}

/** Checkpoints in memory, for Node and tests; `chunks` exposes what is stored. */
export function memoryCheckpointStore(options: MemoryCheckpointOptions = {}): CheckpointStore & { chunks: Map<string, Uint8Array>; pointers: Map<string, CheckpointPointer> } {
  const chunks = new Map<string, Uint8Array>();
  const pointers = new Map<string, CheckpointPointer>();
  const key = (id: string, i: number) => `${id}#${i}`;
  const used = () => [...chunks.values()].reduce((a, b) => a + b.byteLength, 0);
  const dropChunks = (id: string) => {
    for (const k of [...chunks.keys()]) if (k.startsWith(`${id}#`)) chunks.delete(k);
  };
  const backend: ChunkBackend = {
    async putChunk(id, i, bytes) {
      if (options.quotaBytes !== undefined && used() + bytes.byteLength > options.quotaBytes) {
        throw Object.assign(new Error(`The memory checkpoint quota of ${options.quotaBytes} bytes is exceeded.`), { name: 'QuotaExceededError' });
      }
      chunks.set(key(id, i), bytes.slice());
    },
    getChunk: async (id, i) => chunks.get(key(id, i))?.slice() ?? null,
    deleteChunks: async (id) => dropChunks(id),
    async flip(pointer) {
      const previous = pointers.get(pointer.runId) ?? null;
      pointers.set(pointer.runId, structuredClone(pointer));
      return previous;
    },
    pointer: async (runId) => structuredClone(pointers.get(runId) ?? null),
    pointers: async () => [...pointers.values()].map((p) => structuredClone(p)),
    async remove(runId) {
      const p = pointers.get(runId);
      pointers.delete(runId);
      if (p) dropChunks(p.checkpointId);
    },
  };
  return Object.assign(chunkedCheckpointStore(backend, options.chunkBytes), { chunks, pointers });
}

export const CHECKPOINT_DB = 'tabtune-checkpoints';

/** A transaction's failure as the error that caused it (a quota abort reports QuotaExceededError). */
async function done(tx: { done: Promise<void>; error?: DOMException | null }): Promise<void> {
  try {
    await tx.done;
  } catch (e) {
    throw tx.error ?? e;
  }
}

/** Checkpoints in IndexedDB (pages and Workers). Stores: "chunks" keyed [checkpointId, index], "pointers" keyed by runId. */
export function indexedDbCheckpointStore(name = CHECKPOINT_DB, chunkBytes = MAX_CHUNK_BYTES): CheckpointStore {
  let opened: Promise<IDBPDatabase> | null = null;
  const db = (): Promise<IDBPDatabase> => {
    opened ??= openDB(name, 1, {
      upgrade(d) {
        d.createObjectStore('chunks');
        d.createObjectStore('pointers', { keyPath: 'runId' });
      },
    }).catch((e: unknown) => {
      opened = null;
      throw e;
    });
    return opened;
  };
  const range = (id: string) => IDBKeyRange.bound([id, 0], [id, Number.POSITIVE_INFINITY]);
  const backend: ChunkBackend = {
    async putChunk(id, i, bytes) {
      const tx = (await db()).transaction('chunks', 'readwrite');
      void tx.store.put(bytes, [id, i]).catch(() => {});
      await done(tx);
    },
    async getChunk(id, i) {
      const value = (await (await db()).get('chunks', [id, i])) as Uint8Array | ArrayBuffer | undefined;
      return value === undefined ? null : value instanceof Uint8Array ? value : new Uint8Array(value);
    },
    async deleteChunks(id) {
      const tx = (await db()).transaction('chunks', 'readwrite');
      void tx.store.delete(range(id)).catch(() => {});
      await done(tx);
    },
    async flip(pointer) {
      const tx = (await db()).transaction('pointers', 'readwrite');
      const previous = ((await tx.store.get(pointer.runId)) as CheckpointPointer | undefined) ?? null;
      void tx.store.put(pointer).catch(() => {});
      await done(tx);
      return previous;
    },
    pointer: async (runId) => ((await (await db()).get('pointers', runId)) as CheckpointPointer | undefined) ?? null,
    pointers: async () => (await (await db()).getAll('pointers')) as CheckpointPointer[],
    async remove(runId) {
      const tx = (await db()).transaction(['pointers', 'chunks'], 'readwrite');
      const pointers = tx.objectStore('pointers');
      const p = (await pointers.get(runId)) as CheckpointPointer | undefined;
      void pointers.delete(runId).catch(() => {});
      if (p) void tx.objectStore('chunks').delete(range(p.checkpointId)).catch(() => {});
      await done(tx);
    },
  };
  return chunkedCheckpointStore(backend, chunkBytes);
}

export function hasIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined' && typeof IDBKeyRange !== 'undefined';
}

/** IndexedDB where there is one (pages, Workers), otherwise none. */
export function defaultCheckpointStore(): CheckpointStore | undefined {
  return hasIndexedDb() ? indexedDbCheckpointStore() : undefined;
}

/**
 * Asks the browser not to evict this origin's storage (navigator.storage.persist). Best effort:
 * resolves false where the API is missing or refuses.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    const storage = (globalThis as { navigator?: { storage?: { persist?: () => Promise<boolean>; persisted?: () => Promise<boolean> } } }).navigator?.storage;
    if (!storage?.persist) return false;
    if (storage.persisted && (await storage.persisted())) return true;
    return await storage.persist();
  } catch {
    return false;
  }
}
