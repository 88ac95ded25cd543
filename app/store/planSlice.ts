import type { StateCreator } from 'zustand';
import type { LayerPlan } from '../../src/index.ts';
import type { PlanSlice, PlanState, StudioState } from './types.ts';

export const initialPlan: PlanState = { layers: {}, summary: null, error: null, syncing: false };

export const createPlanSlice: StateCreator<StudioState, [], [], PlanSlice> = (set) => ({
  plan: initialPlan,
  setLayerMode: (layer, mode) =>
    set((s) => {
      const layers: LayerPlan = { ...s.plan.layers };
      if (mode.kind === 'frozen') delete layers[layer];
      else layers[layer] = mode;
      return { plan: { ...s.plan, layers } };
    }),
  replacePlan: (layers) => set((s) => ({ plan: { ...s.plan, layers: { ...layers } } })),
  setPlanSyncing: (syncing) => set((s) => ({ plan: { ...s.plan, syncing } })),
  setPlanSummary: (summary) => set((s) => ({ plan: { ...s.plan, summary, error: null, syncing: false } })),
  setPlanError: (message) => set((s) => ({ plan: { ...s.plan, error: message, syncing: false } })),
});
