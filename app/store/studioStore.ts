import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createBackendSlice } from './backendSlice.ts';
import { createCheckpointSlice } from './checkpointSlice.ts';
import { createDatasetSlice } from './datasetSlice.ts';
import { createGenerationSlice } from './generationSlice.ts';
import { createLmSlice } from './lmSlice.ts';
import { createModelSlice } from './modelSlice.ts';
import { createNoticeSlice } from './noticeSlice.ts';
import { createPlanSlice } from './planSlice.ts';
import { createPreferenceSlice } from './preferenceSlice.ts';
import { createRunSlice } from './runSlice.ts';
import { createSessionSlice } from './sessionSlice.ts';
import type { StudioState } from './state.ts';
import { createTryItSlice } from './tryItSlice.ts';

export type { StudioState } from './state.ts';
export type StudioStore = StoreApi<StudioState>;

/** A fresh store (tests make their own; the app uses `studioStore`). */
export function createStudioStore(): StudioStore {
  return createStore<StudioState>()((...a) => ({
    ...createBackendSlice(...a),
    ...createSessionSlice(...a),
    ...createNoticeSlice(...a),
    ...createModelSlice(...a),
    ...createPlanSlice(...a),
    ...createDatasetSlice(...a),
    ...createRunSlice(...a),
    ...createTryItSlice(...a),
    ...createLmSlice(...a),
    ...createGenerationSlice(...a),
    ...createPreferenceSlice(...a),
    ...createCheckpointSlice(...a),
  }));
}

/** The studio's one store. Actions outside React use `studioStore.getState()`. */
export const studioStore = createStudioStore();

/** Subscribes a component to one small piece of the store; keep selectors returning primitives or stable references. */
export function useStudio<T>(selector: (state: StudioState) => T): T {
  return useStore(studioStore, selector);
}
