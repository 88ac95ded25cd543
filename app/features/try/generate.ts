import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { selectHasTrainedRun } from '../../store/selectors.ts';
import { studioStore } from '../../store/studioStore.ts';

const get = () => studioStore.getState();

/** Generates from the prompt with the base model, then with the adapter, streaming into the two outputs. Never rejects. */
export async function generateBoth(handle: Pick<EngineHandle, 'engine' | 'flushEvents'>): Promise<void> {
  const s = get();
  if (s.generation.generating || !s.lm.model.summary) return;
  const { settings } = s.generation;
  const baseId = s.nextRequestId();
  const adaptedId = s.nextRequestId();
  const skipped = selectHasTrainedRun(s, 'lm') ? null : 'No adapter yet: train one or import one.';
  s.beginGeneration(baseId, adaptedId, skipped);
  try {
    for (const [which, id] of [['base', baseId], ['adapted', adaptedId]] as const) {
      if (which === 'adapted' && skipped) break;
      try {
        const result = await handle.engine.lmGenerate({ ...settings, model: which, requestId: id });
        handle.flushEvents();
        get().finishStream(which, result);
      } catch (error) {
        handle.flushEvents();
        const described = describeError(`Could not generate (${which})`, error);
        get().finishStream(which, null, described.message);
        get().pushError(described, 'lm/try');
        if (which === 'base') {
          if (!skipped) get().finishStream('adapted', null, 'Not run: the base generation failed.');
          break;
        }
      }
    }
  } finally {
    get().endGeneration();
  }
}

/** Asks the engine for a new adapter strength and shows the validation loss it reports there. Never rejects. */
export async function applyLmStrength({ engine }: Pick<EngineHandle, 'engine'>, strength: number): Promise<void> {
  const ticket = get().nextTicket('lmStrength');
  try {
    const { validationLoss } = await engine.lmSetAdapterStrength(strength);
    if (get().isLatestTicket('lmStrength', ticket)) get().setStrengthLoss(validationLoss);
  } catch (error) {
    if (get().isLatestTicket('lmStrength', ticket)) get().pushError(describeError('Could not change the adapter strength', error), 'lm/try');
  }
}
