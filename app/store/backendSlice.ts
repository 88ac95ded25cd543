import type { StateCreator } from 'zustand';
import type { BackendSlice, StudioState } from './types.ts';

export const createBackendSlice: StateCreator<StudioState, [], [], BackendSlice> = (set) => ({
  backend: { requested: 'auto', report: null, switching: false },
  setBackendRequested: (requested) => set((s) => ({ backend: { ...s.backend, requested } })),
  // The report's `requested` is what the engine actually honoured: keep the select in sync with it.
  setBackendReport: (report) =>
    set((s) => ({ backend: { ...s.backend, report, requested: report.requested } })),
  setBackendSwitching: (switching) => set((s) => ({ backend: { ...s.backend, switching } })),
});
