import type { StateCreator } from 'zustand';
import type { ModuleMode, PlanSummary, TrainPlan } from '../../src/index.ts';
import type { StudioState } from './state.ts';

export interface PlanState {
  /** Layer name -> mode; only layers that are not frozen are named (the empty plan = head only). */
  layers: TrainPlan;
  /** The engine's totals for `layers` at the current batch size (null until it answered once). */
  summary: PlanSummary | null;
  /** The engine's sentence when it rejected the plan; Train waits until it is fixed. */
  error: string | null;
  /** A setPlan call is pending (debounced or in flight). */
  syncing: boolean;
}

export interface PlanSlice {
  plan: PlanState;
  /** Sets one layer's mode (`frozen` removes it from the plan). */
  setLayerMode: (layer: string, mode: ModuleMode) => void;
  /** Replaces the whole plan (presets). */
  replacePlan: (layers: TrainPlan) => void;
  setPlanSyncing: (syncing: boolean) => void;
  setPlanSummary: (summary: PlanSummary) => void;
  setPlanError: (message: string) => void;
}

export const initialPlan: PlanState = { layers: {}, summary: null, error: null, syncing: false };

/** A plan with one module's mode changed; frozen modules are left out of the plan. */
export function withModuleMode(plan: TrainPlan, name: string, mode: ModuleMode): TrainPlan {
  const next = { ...plan };
  if (mode.kind === 'frozen') delete next[name];
  else next[name] = mode;
  return next;
}

export const createPlanSlice: StateCreator<StudioState, [], [], PlanSlice> = (set) => ({
  plan: initialPlan,
  setLayerMode: (layer, mode) => set((s) => ({ plan: { ...s.plan, layers: withModuleMode(s.plan.layers, layer, mode) } })),
  replacePlan: (layers) => set((s) => ({ plan: { ...s.plan, layers: { ...layers } } })),
  setPlanSyncing: (syncing) => set((s) => ({ plan: { ...s.plan, syncing } })),
  setPlanSummary: (summary) => set((s) => ({ plan: { ...s.plan, summary, error: null, syncing: false } })),
  setPlanError: (message) => set((s) => ({ plan: { ...s.plan, error: message, syncing: false } })),
});
