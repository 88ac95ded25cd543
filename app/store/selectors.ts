import type { RunState, TaskKind } from '../../src/index.ts';
import type { NoticePlace, UiError } from './noticeSlice.ts';
import type { StudioState } from './state.ts';

/** Run states in which the engine is busy with a run (controls that would disturb it are disabled). */
export function isRunActive(state: RunState): boolean {
  return state === 'preparing' || state === 'training' || state === 'paused' || state === 'stopping';
}

/** A run of this task is starting or going. */
export const selectTaskRunning = (s: StudioState, task: TaskKind): boolean =>
  s.runs[task].busy || s.runs[task].starting || isRunActive(s.runs[task].runState);
/** A run of any task is going: one run at a time per session. */
export const selectAnyRunning = (s: StudioState): boolean => selectTaskRunning(s, 'classifier') || selectTaskRunning(s, 'lm');
/** The classifier's controls are locked (its run, or another task's run). */
export const selectIsTraining = (s: StudioState): boolean => selectAnyRunning(s);
export const selectRunState = (s: StudioState, task: TaskKind): RunState => s.runs[task].runState;
export const selectHasDataset = (s: StudioState): boolean => (s.dataset.summary?.total ?? s.dataset.table?.total ?? 0) > 0;
/** The engine has a trained run (or an imported one) for the task: Try it and Export use it. */
export const selectHasTrainedRun = (s: StudioState, task: TaskKind): boolean => s.session.trainedRun[task].present;
/** A run to continue from: there is one, and it is of the model and data loaded now. */
export const selectCanContinue = (s: StudioState, task: TaskKind): boolean => s.session.trainedRun[task].present && !s.session.trainedRun[task].stale;
export const selectIsTrained = (s: StudioState): boolean => selectHasTrainedRun(s, 'classifier');
/** Outputs of the new head: one per class, or one value for a regression table. */
export const selectClassCount = (s: StudioState): number =>
  s.dataset.table ? (s.dataset.table.task === 'regression' ? 1 : s.dataset.table.classes.length) : (s.dataset.summary?.classes.length ?? 0);
export const selectIsRegression = (s: StudioState): boolean => s.dataset.table?.task === 'regression';
/** The newest error shown at a place (the page banner, or beside an action), and how many wait there. */
export const selectLatestError = (s: StudioState, place: NoticePlace = 'page'): UiError | null => s.notice.errors.findLast((e) => e.place === place) ?? null;
export const selectErrorCount = (s: StudioState, place: NoticePlace = 'page'): number => s.notice.errors.filter((e) => e.place === place).length;

/** The engine is busy with the language model: loading, importing, training or generating. */
export const selectLmBusy = (s: StudioState): boolean =>
  s.lm.model.loading || selectAnyRunning(s) || s.generation.generating || s.lm.dataset.importing;

/** Everything a run of this task needs is loaded and nothing else is going. */
export function selectCanTrain(s: StudioState, task: TaskKind): boolean {
  if (task === 'lm') {
    return (
      s.lm.model.summary !== null &&
      ((s.preference.objective === 'preference' ? s.preference.summary?.train : s.lm.dataset.summary?.train) ?? 0) > 0 &&
      !selectLmBusy(s) &&
      s.lm.plan.error === null &&
      Object.keys(s.lm.plan.modules).length > 0
    );
  }
  return (
    selectHasDataset(s) &&
    s.model.summary !== null &&
    s.plan.error === null &&
    !selectAnyRunning(s) &&
    !s.generation.generating &&
    !s.dataset.importing &&
    !s.backend.switching
  );
}

/**
 * A saved run of this task can be resumed: a model and dataset are loaded and nothing else is going.
 * The plan does not matter (the run brings its own); the engine checks the model and data are the run's.
 */
export function selectCanResume(s: StudioState, task: TaskKind): boolean {
  if (task === 'lm') return s.lm.model.summary !== null && (s.lm.dataset.summary?.train ?? 0) > 0 && !selectLmBusy(s);
  return selectHasDataset(s) && s.model.summary !== null && !selectAnyRunning(s) && !s.generation.generating && !s.dataset.importing && !s.backend.switching;
}

/** Why Train is disabled, for its tooltip. */
export function selectWhyNotTrain(s: StudioState, task: TaskKind): string | undefined {
  if (selectCanTrain(s, task)) return undefined;
  if (task === 'lm') return `Load a model, import ${s.preference.objective === 'preference' ? 'preference pairs' : 'text'} with training rows, and choose at least one module to train`;
  return selectHasDataset(s) ? undefined : 'Import a dataset first';
}

/** `data-ready` of the studio root: "true" once startup finished, "error" if it failed. */
export const selectReadyAttr = (s: StudioState): 'true' | 'false' | 'error' =>
  s.session.phase === 'ready' ? 'true' : s.session.phase === 'error' ? 'error' : 'false';
