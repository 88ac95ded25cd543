import type { StudioState } from '../../store/types.ts';

/** The engine is busy with the language model: loading, importing, training or generating. */
export const selectLmBusy = (s: StudioState): boolean =>
  s.lm.model.loading || s.lm.run.busy || s.lm.generation.generating || s.lm.dataset.importing;
export const selectLmHasModel = (s: StudioState): boolean => s.lm.model.summary !== null;
export const selectLmCanTrain = (s: StudioState): boolean =>
  s.lm.model.summary !== null &&
  (s.lm.dataset.summary?.train ?? 0) > 0 &&
  !selectLmBusy(s) &&
  s.lm.plan.error === null &&
  Object.keys(s.lm.plan.modules).length > 0;
