import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';

/** Asks the engine what the last run predicts for one table row (raw cells by column name). */
export async function predictRow({ engine }: EngineHandle, values: Record<string, string>): Promise<void> {
  const store = studioStore.getState();
  // A ticket per request, so a slow prediction never overwrites a newer one.
  const request = store.nextTicket('predict');
  store.setPredicting(true);
  try {
    const prediction = await engine.predictRow(values);
    if (studioStore.getState().isLatestTicket('predict', request)) {
      studioStore.getState().setPrediction(prediction);
      studioStore.getState().clearErrorsAt('classifier/try');
    }
  } catch (error) {
    if (!studioStore.getState().isLatestTicket('predict', request)) return;
    const s = studioStore.getState();
    s.setPredicting(false);
    // The old prediction was for other input: it must not stay beside the one that failed.
    s.setPrediction(null);
    s.pushError(describeError('Could not predict this row', error), 'classifier/try');
  }
}
