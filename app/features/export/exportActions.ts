import type { ExportedWeights } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { bytesBlob, downloadBlob } from './download.ts';

export type ExportKind = 'weights' | 'manifest' | 'both';

function weightsBlob(exported: ExportedWeights): Blob {
  return bytesBlob(exported.safetensors);
}

function manifestBlob(exported: ExportedWeights): Blob {
  return new Blob([exported.manifestJson], { type: 'application/json' });
}

/** Exports the trained head and downloads the chosen file(s). Never rejects. */
export async function downloadExport({ engine }: EngineHandle, kind: ExportKind): Promise<void> {
  try {
    const exported = await engine.exportWeights();
    if (kind !== 'manifest') downloadBlob(weightsBlob(exported), exported.weightsName);
    if (kind !== 'weights') downloadBlob(manifestBlob(exported), exported.manifestName);
  } catch (error) {
    studioStore.getState().pushError(describeError('Could not export the trained model', error), 'classifier/export');
  }
}
