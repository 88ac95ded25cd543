import type { StateCreator } from 'zustand';
import type { BackendChoice, BackendReport } from '../../src/index.ts';
import type { StudioState } from './state.ts';

export interface BackendState {
  /** What the user asked for (URL `?backend=` or the select). */
  requested: BackendChoice;
  report: BackendReport | null;
  /** A setBackend call is in flight. */
  switching: boolean;
}

export interface BackendSlice {
  backend: BackendState;
  setBackendRequested: (choice: BackendChoice) => void;
  setBackendReport: (report: BackendReport) => void;
  setBackendSwitching: (switching: boolean) => void;
}

export const createBackendSlice: StateCreator<StudioState, [], [], BackendSlice> = (set) => ({
  backend: { requested: 'auto', report: null, switching: false },
  setBackendRequested: (requested) => set((s) => ({ backend: { ...s.backend, requested } })),
  // The report's `requested` is what the engine actually honoured: keep the select in sync with it.
  setBackendReport: (report) => set((s) => ({ backend: { ...s.backend, report, requested: report.requested } })),
  setBackendSwitching: (switching) => set((s) => ({ backend: { ...s.backend, switching } })),
});
