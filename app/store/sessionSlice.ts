import type { StateCreator } from 'zustand';
import type { Activity, ProgressTask, TaskKind, TrainedRunInfo } from '../../src/index.ts';
import type { StudioState } from './state.ts';

export type StartupPhase = 'starting' | 'backend' | 'model' | 'dataset' | 'ready' | 'error';

export interface Progress {
  done: number;
  total: number;
  label: string;
}

/** Work other than a run, for the progress bar under the tabs (a model load, a download, an import). */
export interface WorkProgress extends Progress {
  task: ProgressTask | 'download';
}

/** Which half of the studio is shown. */
export type StudioMode = 'images' | 'lm';

/** Kinds of overlapping calls where only the newest answer counts. */
export type TicketKind = 'plan' | 'lmPlan' | 'lmImport' | 'prefImport' | 'lmStrength' | 'predict' | 'split';

export interface SessionState {
  phase: StartupPhase;
  /** Startup (backend, built-in model, sample dataset) is running. */
  starting: boolean;
  /** Non-run work in progress, for the progress bar. */
  progress: WorkProgress | null;
  /** What the engine says it is busy with (its `activity` event); null while it is idle. */
  activity: Activity | null;
  /** The engine's word on each task's trained run (its `trainedRun` event), shown as it is. */
  trainedRun: Record<TaskKind, TrainedRunInfo>;
  mode: StudioMode;
  /** The newest ticket handed out per kind of call. */
  tickets: Record<TicketKind, number>;
  /** The last request id a generation stream got (distinct and increasing for the page's lifetime). */
  requestId: number;
}

export interface SessionSlice {
  session: SessionState;
  setPhase: (phase: StartupPhase) => void;
  setStarting: (starting: boolean) => void;
  setProgress: (progress: WorkProgress | null) => void;
  setMode: (mode: StudioMode) => void;
  /** A new ticket of this kind; older ones stop being the latest. */
  nextTicket: (kind: TicketKind) => number;
  isLatestTicket: (kind: TicketKind, ticket: number) => boolean;
  nextRequestId: () => number;
}

export const noTrainedRun = (task: TaskKind): TrainedRunInfo => ({ task, present: false, stale: false, reason: null });

export const initialSession: SessionState = {
  phase: 'starting',
  starting: false,
  progress: null,
  activity: null,
  trainedRun: { classifier: noTrainedRun('classifier'), lm: noTrainedRun('lm') },
  mode: 'images',
  tickets: { plan: 0, lmPlan: 0, lmImport: 0, prefImport: 0, lmStrength: 0, predict: 0, split: 0 },
  requestId: 0,
};

export const createSessionSlice: StateCreator<StudioState, [], [], SessionSlice> = (set, get) => ({
  session: initialSession,
  setPhase: (phase) => set((s) => ({ session: { ...s.session, phase } })),
  setStarting: (starting) => set((s) => ({ session: { ...s.session, starting } })),
  setProgress: (progress) => set((s) => ({ session: { ...s.session, progress } })),
  setMode: (mode) => set((s) => ({ session: { ...s.session, mode } })),
  nextTicket: (kind) => {
    const ticket = get().session.tickets[kind] + 1;
    set((s) => ({ session: { ...s.session, tickets: { ...s.session.tickets, [kind]: ticket } } }));
    return ticket;
  },
  isLatestTicket: (kind, ticket) => get().session.tickets[kind] === ticket,
  nextRequestId: () => {
    const id = get().session.requestId + 1;
    set((s) => ({ session: { ...s.session, requestId: id } }));
    return id;
  },
});
