import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createBackendSlice } from './backendSlice.ts';
import { createLmSlice } from './lmSlice.ts';
import { createDatasetSlice } from './datasetSlice.ts';
import { createModelSlice } from './modelSlice.ts';
import { createNoticeSlice } from './noticeSlice.ts';
import { createPlanSlice } from './planSlice.ts';
import { createSessionSlice } from './sessionSlice.ts';
import { createTrainingSlice } from './trainingSlice.ts';
import { createTryItSlice } from './tryItSlice.ts';
import type { StudioState } from './types.ts';

export type StudioStore = StoreApi<StudioState>;

/** A fresh store (tests make their own; the app uses `studioStore`). */
export function createStudioStore(): StudioStore {
  return createStore<StudioState>()((...a) => ({
    ...createBackendSlice(...a),
    ...createModelSlice(...a),
    ...createPlanSlice(...a),
    ...createDatasetSlice(...a),
    ...createTrainingSlice(...a),
    ...createTryItSlice(...a),
    ...createNoticeSlice(...a),
    ...createSessionSlice(...a),
    ...createLmSlice(...a),
  }));
}

/** The studio's one store. Actions outside React use `studioStore.getState()`. */
export const studioStore = createStudioStore();

/** Subscribes a component to one small piece of the store; keep selectors returning primitives or stable references. */
export function useStudio<T>(selector: (state: StudioState) => T): T {
  return useStore(studioStore, selector);
}
