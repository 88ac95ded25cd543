import type { StateCreator } from 'zustand';
import type { ModelSlice, StudioState } from './types.ts';

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set) => ({
  model: { summary: null, loading: false, origin: 'builtin' },
  setModelLoading: (loading) => set((s) => ({ model: { ...s.model, loading } })),
  setModelSummary: (summary, origin = 'builtin') => set({ model: { summary, loading: false, origin } }),
});
