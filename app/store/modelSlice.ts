import type { StateCreator } from 'zustand';
import type { ModelSummary } from '../../src/index.ts';
import type { StudioState } from './state.ts';

/** Where the loaded base model came from: the built-in one, dropped files, a URL the user typed, or an MLP built for a table. */
export type ModelOrigin = 'builtin' | 'files' | 'url' | 'table';

export interface ModelState {
  summary: ModelSummary | null;
  loading: boolean;
  origin: ModelOrigin;
}

export interface ModelSlice {
  model: ModelState;
  setModelLoading: (loading: boolean) => void;
  setModelSummary: (summary: ModelSummary, origin?: ModelOrigin) => void;
}

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set) => ({
  model: { summary: null, loading: false, origin: 'builtin' },
  setModelLoading: (loading) => set((s) => ({ model: { ...s.model, loading } })),
  setModelSummary: (summary, origin = 'builtin') => set({ model: { summary, loading: false, origin } }),
});
