import type { RunState } from '../../src/index.ts';
import type { StudioState, UiError } from './types.ts';

/** Run states in which the engine is busy with a run (controls that would disturb it are disabled). */
export function isRunActive(state: RunState): boolean {
  return state === 'preparing' || state === 'training' || state === 'paused' || state === 'stopping';
}

export const selectIsTraining = (s: StudioState): boolean => s.training.busy || isRunActive(s.training.runState);
export const selectRunState = (s: StudioState): RunState => s.training.runState;
export const selectHasDataset = (s: StudioState): boolean => (s.dataset.summary?.total ?? s.dataset.table?.total ?? 0) > 0;
export const selectIsTrained = (s: StudioState): boolean => s.training.trainedSteps > 0;
/** Outputs of the new head: one per class, or one value for a regression table. */
export const selectClassCount = (s: StudioState): number =>
  s.dataset.table ? (s.dataset.table.task === 'regression' ? 1 : s.dataset.table.classes.length) : (s.dataset.summary?.classes.length ?? 0);
export const selectIsRegression = (s: StudioState): boolean => s.dataset.table?.task === 'regression';
export const selectLatestError = (s: StudioState): UiError | null => s.notice.errors.at(-1) ?? null;
export const selectErrorCount = (s: StudioState): number => s.notice.errors.length;
export const selectCanTrain = (s: StudioState): boolean =>
  selectHasDataset(s) &&
  s.model.summary !== null &&
  s.plan.error === null &&
  !selectIsTraining(s) &&
  !s.dataset.importing &&
  !s.backend.switching;

/** `data-ready` of the studio root: "true" once startup finished, "error" if it failed. */
export const selectReadyAttr = (s: StudioState): 'true' | 'false' | 'error' =>
  s.session.phase === 'ready' ? 'true' : s.session.phase === 'error' ? 'error' : 'false';
