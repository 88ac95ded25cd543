import { useState } from 'react';
import { FilePickerButton } from '../../components/FilePickerButton.tsx';
import { DropZone } from '../../components/DropZone.tsx';
import { describeError } from '../../engine/describeError.ts';
import { collectFromDrop, collectFromFileList } from '../dataset/collectFiles.ts';
import { snapshotDrop } from '../dataset/dropSnapshot.ts';
import { importRunFiles } from './importRunActions.ts';
import { Panel } from '../../components/Panel.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { selectHasDataset, selectIsTrained, selectIsTraining } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { downloadBundle } from './bundleActions.ts';
import { downloadExport, type ExportKind } from './exportActions.ts';

const BUTTONS: readonly { kind: ExportKind; label: string; testId: string }[] = [
  { kind: 'weights', label: 'Download weights (.safetensors)', testId: 'download-weights' },
  { kind: 'manifest', label: 'Download description (.json)', testId: 'download-manifest' },
  { kind: 'both', label: 'Download both', testId: 'download-both' },
];

/** Saves the trained head (safetensors) and its description (JSON) as ordinary browser downloads. */
export function ExportPanel() {
  const handle = useEngine();
  const trained = useStudio(selectIsTrained);
  const training = useStudio(selectIsTraining);
  const [exporting, setExporting] = useState<ExportKind | 'bundle' | null>(null);
  /** What the last downloaded bundle held (cleared when a new run makes it stale). */
  const [bundleFiles, setBundleFiles] = useState<string[] | null>(null);
  const [bundleRun, setBundleRun] = useState<number | null>(null);
  const finishedAt = useStudio((s) => s.training.finishedAt);
  if (bundleFiles !== null && bundleRun !== finishedAt) {
    setBundleFiles(null);
    setBundleRun(null);
  }
  const disabled = !trained || training || exporting !== null;
  const hasDataset = useStudio(selectHasDataset);
  const hasModel = useStudio((s) => s.model.summary !== null);
  const [importing, setImporting] = useState(false);
  const importDisabled = !hasDataset || !hasModel || training || importing || exporting !== null;

  const runImport = async (collect: () => Promise<{ files: { path: string; file: Blob }[] }>): Promise<void> => {
    setImporting(true);
    try {
      await importRunFiles(handle, (await collect()).files);
    } catch (error) {
      studioStore.getState().pushError(describeError('Could not read the dropped files', error));
    } finally {
      setImporting(false);
    }
  };

  const run = async (kind: ExportKind): Promise<void> => {
    setExporting(kind);
    try {
      await downloadExport(handle, kind);
    } finally {
      setExporting(null);
    }
  };

  const runBundle = async (): Promise<void> => {
    setExporting('bundle');
    try {
      const files = await downloadBundle(handle);
      if (files) {
        setBundleFiles(files);
        setBundleRun(studioStore.getState().training.finishedAt);
      }
    } finally {
      setExporting(null);
    }
  };

  return (
    <Panel title="Export" className="panel--export">
      <p className="muted">
        {trained
          ? 'The new head’s weights as safetensors, and a JSON description of its classes, input and base model.'
          : 'Available after a run.'}
      </p>
      <div className="export-buttons">
        {BUTTONS.map(({ kind, label, testId }) => (
          <button
            key={kind}
            type="button"
            className={kind === 'both' ? 'button button--primary' : 'button'}
            data-testid={testId}
            disabled={disabled}
            aria-busy={exporting === kind}
            onClick={() => void run(kind)}
          >
            {exporting === kind ? 'Preparing…' : label}
          </button>
        ))}
      </div>
      <div className="export-buttons">
        <button
          type="button"
          className="button button--primary"
          data-testid="download-bundle"
          disabled={disabled}
          aria-busy={exporting === 'bundle'}
          title="PEFT adapter, head, merged TF.js model and manifest in one zip"
          onClick={() => void runBundle()}
        >
          {exporting === 'bundle' ? 'Preparing…' : 'Download everything (.zip)'}
        </button>
      </div>
      {bundleFiles && (
        <ul className="bundle-files" aria-label="Files in the downloaded zip" data-testid="bundle-files">
          {bundleFiles.map((f) => (
            <li key={f} data-testid="bundle-file">
              <code>{f}</code>
            </li>
          ))}
        </ul>
      )}
      <DropZone
        label="Exported run"
        disabled={importDisabled}
        testId="import-run-dropzone"
        onDrop={(dt) => {
          const drop = snapshotDrop(dt);
          void runImport(() => collectFromDrop(drop));
        }}
      >
        <p className="dropzone__hint">
          Take back a run Tabtune exported: it is evaluated on the loaded dataset (same classes) and becomes the current run.
        </p>
        <FilePickerButton
          accept=".zip,application/zip"
          disabled={importDisabled}
          busy={importing}
          inputTestId="import-run-input"
          onFiles={(files) => {
            if (files.length > 0) void runImport(() => Promise.resolve(collectFromFileList(files)));
          }}
        >
          {importing ? 'Importing…' : 'Import a run (.zip)…'}
        </FilePickerButton>
      </DropZone>
    </Panel>
  );
}
