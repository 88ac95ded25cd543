import type { StateCreator } from 'zustand';
import type { SavedRun, TaskKind } from '../../src/index.ts';
import type { StudioState } from './state.ts';

/** The runs the engine keeps checkpoints of (IndexedDB, in the Worker); the engine is the source of truth. */
export interface CheckpointState {
  runs: SavedRun[];
  /** The list has been read once (the resume notice waits for it). */
  loaded: boolean;
  /** Unfinished runs whose notice was answered (resumed or discarded) in this session. */
  answered: string[];
  /** The id of the run this page started last (its `runStarted` event); null when it saves no checkpoints. */
  runningId: string | null;
  /** A resume is starting. */
  resuming: string | null;
  /** The browser was asked to keep this origin's storage (once, at the first checkpoint). */
  persistAsked: boolean;
  /** A refresh of the list is scheduled (checkpoints come in bursts). */
  refreshPending: boolean;
}

export interface CheckpointSlice {
  checkpoints: CheckpointState;
  setCheckpoints: (patch: Partial<CheckpointState> | ((c: CheckpointState) => Partial<CheckpointState>)) => void;
}

/** Which task a saved run belongs to. */
export function taskOf(run: SavedRun): TaskKind {
  return run.kind === 'lm' ? 'lm' : 'classifier';
}

/**
 * The newest unfinished run of this task not yet answered, or null. Runs this page started are
 * answered when they start (applyRunStarted), so the running run is never offered.
 */
export function pendingResume(state: CheckpointState, task: TaskKind): SavedRun | null {
  return state.runs.find((r) => !r.finished && taskOf(r) === task && !state.answered.includes(r.runId)) ?? null;
}

export const createCheckpointSlice: StateCreator<StudioState, [], [], CheckpointSlice> = (set) => ({
  checkpoints: { runs: [], loaded: false, answered: [], runningId: null, resuming: null, persistAsked: false, refreshPending: false },
  setCheckpoints: (patch) =>
    set((s) => ({ checkpoints: { ...s.checkpoints, ...(typeof patch === 'function' ? patch(s.checkpoints) : patch) } })),
});
