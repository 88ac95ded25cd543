import type { StateCreator } from 'zustand';
import type { ModelSlice, StudioState } from './types.ts';

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set) => ({
  model: { summary: null, loading: false },
  setModelLoading: (loading) => set((s) => ({ model: { ...s.model, loading } })),
  setModelSummary: (summary) => set({ model: { summary, loading: false } }),
});
