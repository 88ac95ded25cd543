import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';

/** Bumped per request, so a slow prediction never overwrites a newer one. */
let latest = 0;

/** Asks the engine what the last run predicts for one table row (raw cells by column name). */
export async function predictRow({ engine }: EngineHandle, values: Record<string, string>): Promise<void> {
  const request = ++latest;
  const store = studioStore.getState();
  store.setPredicting(true);
  try {
    const prediction = await engine.predictRow(values);
    if (request === latest) studioStore.getState().setPrediction(prediction);
  } catch (error) {
    if (request !== latest) return;
    const s = studioStore.getState();
    s.setPredicting(false);
    s.pushError(describeError('Could not predict this row', error));
  }
}
