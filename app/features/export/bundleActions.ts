import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { bytesBlob, downloadBlob } from './download.ts';

/** Exports everything the last run produced as one zip and downloads it; resolves to its file list, or null on failure. Never rejects. */
export async function downloadBundle({ engine }: EngineHandle): Promise<string[] | null> {
  try {
    const bundle = await engine.exportBundle();
    downloadBlob(bytesBlob(bundle.zip, 'application/zip'), bundle.name);
    return bundle.files;
  } catch (error) {
    studioStore.getState().pushError(describeError('Could not export the bundle', error), 'classifier/export');
    return null;
  }
}
