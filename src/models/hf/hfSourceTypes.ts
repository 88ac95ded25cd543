/** What every Hugging Face model folder source gives: a file reader, progress events, options. */
import type { FileCache } from '../../storage/fileCache.ts';
import type { HfFileReader } from './hfWeights.ts';

export interface HfDownloadProgress {
  file: string;
  loaded: number;
  /** Bytes expected (Content-Length), null when the server does not say. */
  total: number | null;
  /** 0..1; 1 once the file is complete (with an unknown total it stays 0 until then). */
  fraction: number;
  /** True when the file came from the cache (or from dropped files) without a download. */
  cached?: boolean;
}

export interface HfReaderOptions {
  fetch?: typeof fetch;
  cache?: FileCache;
  onProgress?: (p: HfDownloadProgress) => void;
  /** The Hub's address, for mirrors and tests. */
  endpoint?: string;
  signal?: AbortSignal;
}

export interface HfSourceReader {
  /** Names the folder in messages ("owner/name", the folder URL, or the dropped folder's name). */
  label: string;
  read: HfFileReader;
  /**
   * Bytes [start, end) of a file without reading the rest (an HTTP Range request, a Blob slice);
   * null when the folder has no such file. Fewer bytes come back when the file is shorter.
   */
  readRange?: (file: string, start: number, end: number) => Promise<Uint8Array | null>;
  /** Every cache key of this folder starts with this (for a "forget downloaded model" action). */
  cachePrefix?: string;
}
