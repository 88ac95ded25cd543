/**
 * The saved runs the engine keeps checkpoints of (IndexedDB, in the Worker): listed with their size,
 * resumable when unfinished. A small store of its own; the engine is the source of truth.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { SavedRun } from '../../../src/index.ts';

export interface SavedRunsState {
  runs: SavedRun[];
  /** The list has been read once (the resume notice waits for it). */
  loaded: boolean;
  /** Unfinished runs whose notice was answered (resumed or discarded) in this session. */
  answered: string[];
  /** A resume is starting. */
  resuming: string | null;
}

export const savedRunsStore = createStore<SavedRunsState>()(() => ({ runs: [], loaded: false, answered: [], resuming: null }));

export function useSavedRuns<T>(selector: (s: SavedRunsState) => T): T {
  return useStore(savedRunsStore, selector);
}

/** Which half of the studio a run belongs to. */
export type StudioHalf = 'images' | 'lm';

export function halfOf(run: SavedRun): StudioHalf {
  return run.kind === 'lm' ? 'lm' : 'images';
}

/** The newest unfinished run of this half not yet answered, or null. */
export function pendingResume(state: SavedRunsState, half: StudioHalf): SavedRun | null {
  return state.runs.find((r) => !r.finished && halfOf(r) === half && !state.answered.includes(r.runId)) ?? null;
}
