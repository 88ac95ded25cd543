import { useState } from 'react';
import type { DatasetFile, LmExport } from '../../../src/index.ts';
import { DropZone } from '../../components/DropZone.tsx';
import { FilePickerButton } from '../../components/FilePickerButton.tsx';
import { Panel } from '../../components/Panel.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { describeError } from '../../engine/describeError.ts';
import { formatBytes, formatLoss } from '../../format.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { collectFromDrop, collectFromFileList } from '../dataset/collectFiles.ts';
import { snapshotDrop } from '../dataset/dropSnapshot.ts';
import { downloadExportFile, exportLm, importLmAdapter } from './lmActions.ts';
import { selectLmBusy } from './selectors.ts';

/** PEFT adapter and merged model downloads, and taking an adapter back (from here or from Python PEFT). */
export function LmExportPanel() {
  const handle = useEngine();
  const hasAdapter = useStudio((s) => s.lm.run.hasAdapter);
  const hasModel = useStudio((s) => s.lm.model.summary !== null);
  const importedLoss = useStudio((s) => s.lm.run.importedValidationLoss);
  const busy = useStudio(selectLmBusy);
  const [working, setWorking] = useState<'adapter' | 'merged' | 'import' | null>(null);
  const [last, setLast] = useState<LmExport | null>(null);
  const disabled = !hasAdapter || busy || working !== null;
  const importDisabled = !hasModel || busy || working !== null;

  const runExport = async (kind: 'adapter' | 'merged'): Promise<void> => {
    setWorking(kind);
    try {
      const exported = await exportLm(handle, kind);
      if (exported) setLast(exported);
    } finally {
      setWorking(null);
    }
  };

  const runImport = async (collect: () => Promise<{ files: DatasetFile[] }>): Promise<void> => {
    setWorking('import');
    try {
      await importLmAdapter(handle, (await collect()).files);
    } catch (error) {
      studioStore.getState().pushError(describeError('Could not read the adapter files', error));
    } finally {
      setWorking(null);
    }
  };

  return (
    <Panel title="Export" className="panel--lm-export" testId="lm-export-panel">
      <p className="muted">{hasAdapter ? 'Downloads use the current adapter strength.' : 'Available after a run or an imported adapter.'}</p>
      <div className="export-buttons">
        <button type="button" className="button button--primary" data-testid="lm-export-adapter" disabled={disabled} aria-busy={working === 'adapter'} onClick={() => void runExport('adapter')}>
          {working === 'adapter' ? 'Preparing…' : 'Download adapter (.zip)'}
        </button>
        <button
          type="button"
          className="button"
          data-testid="lm-export-merged"
          disabled={disabled}
          aria-busy={working === 'merged'}
          title="The base model with the adapter merged in: a Hugging Face folder"
          onClick={() => void runExport('merged')}
        >
          {working === 'merged' ? 'Preparing…' : 'Download merged model (.zip)'}
        </button>
      </div>
      {last && (
        <div className="lm-export-files">
          <p className="muted">
            <code>{last.name}.zip</code> — or its files one by one:
          </p>
          <ul className="bundle-files" data-testid="lm-export-files">
            {Object.entries(last.files).map(([path, bytes]) => (
              <li key={path}>
                <button type="button" className="button button--ghost" data-testid="lm-export-file" data-file={path} onClick={() => downloadExportFile(last, path)}>
                  {path} <span className="muted">({formatBytes(bytes.byteLength)})</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <DropZone label="Adapter files" disabled={importDisabled} testId="lm-import-adapter-dropzone" onDrop={(dt) => {
        const drop = snapshotDrop(dt);
        void runImport(() => collectFromDrop(drop));
      }}>
        <p className="dropzone__hint">
          Import a PEFT adapter (made here or with Python PEFT): <code>adapter_config.json</code> and <code>adapter_model.safetensors</code>, or their folder.
        </p>
        <div className="export-buttons">
          <FilePickerButton
            multiple
            accept=".json,.safetensors,application/json,application/octet-stream"
            disabled={importDisabled}
            busy={working === 'import'}
            inputTestId="lm-import-adapter-input"
            onFiles={(files) => {
              if (files.length > 0) void runImport(() => Promise.resolve(collectFromFileList(files)));
            }}
          >
            {working === 'import' ? 'Importing…' : 'Import adapter files…'}
          </FilePickerButton>
          <FilePickerButton
            directory
            disabled={importDisabled}
            inputTestId="lm-import-adapter-folder-input"
            onFiles={(files) => {
              if (files.length > 0) void runImport(() => Promise.resolve(collectFromFileList(files)));
            }}
          >
            Import adapter folder…
          </FilePickerButton>
        </div>
      </DropZone>
      {importedLoss !== null && (
        <p data-testid="lm-imported-adapter" data-value={importedLoss}>
          Adapter imported: validation loss {formatLoss(importedLoss)}.
        </p>
      )}
    </Panel>
  );
}
