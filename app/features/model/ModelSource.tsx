import { useId, useState } from 'react';
import { FilePickerButton } from '../../components/FilePickerButton.tsx';
import { DropZone } from '../../components/DropZone.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { describeError } from '../../engine/describeError.ts';
import { selectIsTraining } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { collectFromDrop, collectFromFileList } from '../dataset/collectFiles.ts';
import { snapshotDrop } from '../dataset/dropSnapshot.ts';
import { InlineError } from '../notices/InlineError.tsx';
import { loadBuiltinModel, loadModelFromFiles, loadModelFromUrl, loadTableModel } from './modelActions.ts';

const ORIGIN_TEXT = { builtin: 'Built-in model', files: 'Your model (files)', url: 'Your model (URL)', table: 'An MLP built for the table' } as const;

/** Where the base model comes from: the built-in one, dropped or chosen files, or a URL. */
export function ModelSource() {
  const handle = useEngine();
  const urlId = useId();
  const [url, setUrl] = useState('');
  const loading = useStudio((s) => s.model.loading);
  const origin = useStudio((s) => s.model.origin);
  const training = useStudio(selectIsTraining);
  const importing = useStudio((s) => s.dataset.importing);
  const table = useStudio((s) => s.dataset.table);
  const disabled = loading || training || importing;

  const dropped = async (dt: DataTransfer): Promise<void> => {
    try {
      const { files } = await collectFromDrop(snapshotDrop(dt));
      await loadModelFromFiles(handle, files);
    } catch (error) {
      studioStore.getState().pushError(describeError('Could not read the dropped files', error), 'classifier/model');
    }
  };

  return (
    <div className="model-source">
      <p className="model-source__origin" data-testid="model-origin" aria-live="polite">
        {loading ? 'Loading the model…' : `Using: ${ORIGIN_TEXT[origin]}`}
      </p>
      {/* The other sources on demand: the built-in model is what most first runs need. Open while another model is in use. */}
      <details className="disclosure" open={origin !== 'builtin' || undefined}>
        <summary data-testid="model-source-toggle">Use another model (your files, a URL{table ? ', an MLP for the table' : ''})</summary>
      <DropZone label="Model files" onDrop={(dt) => void dropped(dt)} disabled={disabled} testId="model-dropzone">
        <p className="dropzone__title">Use your own base model</p>
        <p className="dropzone__hint">
          Drop a TF.js LayersModel: <code>model.json</code> with its <code>*.bin</code> weights (and optional <code>tabtune.json</code>), or their folder.
        </p>
        <div className="export-buttons">
          <FilePickerButton
            multiple
            accept=".json,.bin,application/json,application/octet-stream"
            disabled={disabled}
            inputTestId="model-files-input"
            onFiles={(files) => void loadModelFromFiles(handle, collectFromFileList(files).files)}
          >
            Choose model files…
          </FilePickerButton>
          <button
            type="button"
            className="button"
            disabled={disabled || origin === 'builtin'}
            data-testid="model-builtin"
            title="Go back to the model Tabtune ships with"
            onClick={() => void loadBuiltinModel(handle)}
          >
            Built-in model
          </button>
          {table && (
            <button
              type="button"
              className="button"
              disabled={disabled}
              data-testid="model-table-mlp"
              title={`A fresh MLP (${table.featureCount} → 64 → 32) sized to the table's encoded columns`}
              onClick={() => void loadTableModel(handle)}
            >
              MLP for this table
            </button>
          )}
        </div>
      </DropZone>
      <form
        className="model-source__url"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) void loadModelFromUrl(handle, url);
        }}
      >
        <div className="field">
          <label htmlFor={urlId}>Or a model.json URL</label>
          <div className="field__control">
            <input
              id={urlId}
              type="url"
              inputMode="url"
              placeholder="https://…/model.json"
              value={url}
              disabled={disabled}
              data-testid="model-url-input"
              onChange={(e) => setUrl(e.target.value)}
            />
          </div>
        </div>
        <button type="submit" className="button" disabled={disabled || url.trim() === ''} data-testid="model-url-load">
          Load
        </button>
      </form>
      </details>
      <InlineError place="classifier/model" />
    </div>
  );
}
