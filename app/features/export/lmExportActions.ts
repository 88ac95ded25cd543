import type { DatasetFile, LmExport } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { lmPlanShape, planKey } from '../plan/lmPlanSync.ts';
import { bytesBlob, downloadBlob } from './download.ts';

const get = () => studioStore.getState();

/** Downloads one file of an export. */
export function downloadExportFile(exported: LmExport, path: string): void {
  const bytes = exported.files[path];
  if (!bytes) return;
  downloadBlob(bytesBlob(bytes, path.endsWith('.json') ? 'application/json' : 'application/octet-stream'), path.split('/').pop() ?? path);
}

/** Exports the adapter or the merged model and downloads the zip; resolves with the export for single-file downloads. Never rejects. */
export async function exportLm({ engine }: Pick<EngineHandle, 'engine'>, kind: 'adapter' | 'merged'): Promise<LmExport | null> {
  try {
    const exported = kind === 'adapter' ? await engine.lmExportAdapter() : await engine.lmExportMerged();
    downloadBlob(bytesBlob(exported.zip, 'application/zip'), `${exported.name}.zip`);
    return exported;
  } catch (error) {
    get().pushError(describeError(kind === 'adapter' ? 'Could not export the adapter' : 'Could not export the merged model', error), 'lm/export');
    return null;
  }
}

/** Applies a PEFT adapter (adapter_config.json + adapter_model.safetensors) to the loaded model. Never rejects. */
export async function importLmAdapter({ engine }: Pick<EngineHandle, 'engine'>, files: DatasetFile[]): Promise<boolean> {
  if (files.length === 0) return false;
  try {
    const { plan, validationLoss } = await engine.lmImportAdapter(files);
    const s = get();
    // The engine holds the adapter's plan now: no lmSetPlan for it (it could replace the adapter with fresh weights).
    s.setLmImportedAdapter(plan, validationLoss, planKey(plan, lmPlanShape(s)));
    return true;
  } catch (error) {
    get().pushError(describeError('Could not import the adapter', error), 'lm/export');
    return false;
  }
}
