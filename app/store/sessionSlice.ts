import type { StateCreator } from 'zustand';
import type { SessionSlice, StudioState } from './types.ts';

export const createSessionSlice: StateCreator<StudioState, [], [], SessionSlice> = (set) => ({
  session: { phase: 'starting', activity: null },
  setPhase: (phase) => set((s) => ({ session: { ...s.session, phase } })),
  setActivity: (activity) => set((s) => ({ session: { ...s.session, activity } })),
});
