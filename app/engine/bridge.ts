import type { EngineEvent, SessionApi } from '../../src/index.ts';
import type { StudioStore } from '../store/studioStore.ts';
import { applyEngineEvents } from './applyEngineEvents.ts';

/** Schedules one callback; returns a function that cancels it. */
export type ScheduleFrame = (callback: () => void) => () => void;

/** How long a flush may wait when no animation frame comes (hidden tab, headless, busy compositor). */
const FALLBACK_MS = 100;
/** Hidden tabs get no frames at all and nobody is looking: flush rarely. */
const HIDDEN_MS = 500;

/**
 * Next animation frame, with a setTimeout fallback: browsers pause requestAnimationFrame in hidden
 * tabs, and a run that finishes there must still reach the store.
 */
export const scheduleAnimationFrame: ScheduleFrame = (callback) => {
  let pending = true;
  const run = (): void => {
    if (!pending) return;
    pending = false;
    cancel();
    callback();
  };
  const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
  const frame = !hidden && typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : null;
  const timer = setTimeout(run, hidden ? HIDDEN_MS : FALLBACK_MS);
  function cancel(): void {
    pending = false;
    if (frame !== null) cancelAnimationFrame(frame);
    clearTimeout(timer);
  }
  return cancel;
};

export interface EventCoalescer<E> {
  push: (event: E) => void;
  /** Delivers everything buffered now (e.g. before reading the final state of a run). */
  flush: () => void;
  dispose: () => void;
}

/** Buffers events and hands them over in one batch per scheduled frame. */
export function createEventCoalescer<E>(schedule: ScheduleFrame, onBatch: (events: E[]) => void): EventCoalescer<E> {
  let queue: E[] = [];
  let cancel: (() => void) | null = null;
  let disposed = false;

  const flush = (): void => {
    cancel?.();
    cancel = null;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    onBatch(batch);
  };

  return {
    push(event) {
      if (disposed) return;
      queue.push(event);
      cancel ??= schedule(flush);
    },
    flush,
    dispose() {
      disposed = true;
      cancel?.();
      cancel = null;
      queue = [];
    },
  };
}

export interface Bridge {
  flush: () => void;
  dispose: () => void;
}

/** Routes engine events into the store, coalesced so a fast run costs one store update per frame. */
export function connectBridge(
  engine: Pick<SessionApi, 'subscribe'>,
  store: StudioStore,
  schedule: ScheduleFrame = scheduleAnimationFrame,
): Bridge {
  const coalescer = createEventCoalescer<EngineEvent>(schedule, (events) => {
    const { patch, warnings } = applyEngineEvents(store.getState(), events);
    if (Object.keys(patch).length > 0) store.setState(patch);
    for (const message of warnings) store.getState().pushNotice(message);
  });
  const unsubscribe = engine.subscribe(coalescer.push);
  return {
    flush: coalescer.flush,
    dispose() {
      unsubscribe();
      coalescer.dispose();
    },
  };
}
