import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';

/** Shows `image` as the preview (freeing the previous preview's URL) and asks the engine for class probabilities. */
export async function predictImage({ engine, held }: Pick<EngineHandle, 'engine' | 'held'>, image: File): Promise<void> {
  const store = studioStore.getState();
  if (image.type !== '' && !image.type.startsWith('image/')) {
    store.pushError({
      title: 'Could not try this file',
      message: `${image.name} is not an image (its type is ${image.type}). Choose a PNG, JPEG, GIF, WebP, BMP or AVIF file.`,
      code: 'not-an-image',
    }, 'classifier/try');
    return;
  }
  // A ticket per request, so a slow prediction never overwrites a newer one.
  const request = store.nextTicket('predict');
  if (image !== held.tryImage) {
    const previous = store.tryIt.previewUrl;
    store.setTryImage(URL.createObjectURL(image), image.name);
    if (previous) URL.revokeObjectURL(previous);
    held.tryImage = image;
  }
  store.setPredicting(true);
  try {
    const prediction = await engine.predict(image);
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
    s.pushError(describeError(`Could not classify ${image.name}`, error), 'classifier/try');
  }
}

/** After a new run, the image on show is classified again by the new head. */
export async function predictShownImage(handle: Pick<EngineHandle, 'engine' | 'held'>): Promise<void> {
  if (handle.held.tryImage) await predictImage(handle, handle.held.tryImage);
}

export interface RankedClass {
  name: string;
  probability: number;
}

/** Classes by falling probability (ties keep the model's class order). */
export function rankPrediction(classes: readonly string[], probabilities: readonly number[]): RankedClass[] {
  return classes
    .map((name, i) => ({ name, probability: probabilities[i] ?? 0, i }))
    .sort((a, b) => b.probability - a.probability || a.i - b.i)
    .map(({ name, probability }) => ({ name, probability }));
}
