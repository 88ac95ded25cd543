import type { ExportedWeights } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { downloadBlob } from './download.ts';

export type ExportKind = 'weights' | 'manifest' | 'both';

function weightsBlob(exported: ExportedWeights): Blob {
  // Copy into a plain ArrayBuffer-backed array: a Blob cannot take a view of a SharedArrayBuffer.
  return new Blob([new Uint8Array(exported.safetensors)], { type: 'application/octet-stream' });
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
    studioStore.getState().pushError(describeError('Could not export the trained model', error));
  }
}
