/**
 * Past keys and values for incremental decoding. Keys are stored after rotary embedding and before
 * grouped-query repetition ([B, kvHeads, Tpast, headDim]), exactly what the next step concatenates to.
 */
import { tf } from '../../tf.ts';
import type { KvCache } from './hfTypes.ts';

/** An empty cache: pass it to causalLmLogits to start decoding and get a filled one back. */
export function emptyKvCache(): KvCache {
  return { keys: [], values: [], length: 0 };
}

/** Frees the cache's tensors (causalLmLogits returns a new cache and leaves the old one to the caller). */
export function disposeKvCache(cache: KvCache): void {
  tf.dispose([...cache.keys, ...cache.values]);
}
