/**
 * Bookkeeping for overlapping async calls: a debouncer for calls made as you type, "only the newest
 * answer counts" tickets, and request ids for generation streams.
 */

export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Runs a pending call now (if any). */
  flush: () => void;
  cancel: () => void;
  pending: () => boolean;
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastArgs: A | null = null;
  const run = (): void => {
    timer = null;
    const args = lastArgs;
    lastArgs = null;
    if (args) fn(...args);
  };
  const debounced = ((...args: A) => {
    lastArgs = args;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(run, ms);
  }) as Debounced<A>;
  debounced.flush = () => {
    if (timer !== null) clearTimeout(timer);
    if (lastArgs) run();
  };
  debounced.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    lastArgs = null;
  };
  debounced.pending = () => timer !== null;
  return debounced;
}

/** Hands out tickets; `isLatest(t)` is true only for the newest one, so stale answers can be dropped. */
export interface Latest {
  next: () => number;
  isLatest: (ticket: number) => boolean;
}

export function createLatest(): Latest {
  let latest = 0;
  return { next: () => ++latest, isLatest: (ticket) => ticket === latest };
}

/** Request ids for generations: distinct and increasing for the page's lifetime (base and adapted each get one). */
export function createRequestIds(start = 1): () => number {
  let id = start;
  return () => id++;
}
