import { useId, useState } from 'react';
import { DropZone } from '../../components/DropZone.tsx';
import { FilePickerButton } from '../../components/FilePickerButton.tsx';
import { Panel } from '../../components/Panel.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { describeError } from '../../engine/describeError.ts';
import { formatBytes, formatInteger } from '../../format.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { collectFromDrop, collectFromFileList, type CollectedDataset } from '../dataset/collectFiles.ts';
import { snapshotDrop } from '../dataset/dropSnapshot.ts';
import { selectLmBusy } from '../../store/selectors.ts';
import { InlineError } from '../notices/InlineError.tsx';
import { stepAnchor } from '../studio/flowSteps.ts';
import { builtinSource, filesSource, loadLmModel, parseModelSource } from './lmModelActions.ts';

/** Where the language model comes from (built-in, the Hub, a URL, a folder), its load progress and summary. */
export function LmModelPanel() {
  const handle = useEngine();
  const inputId = useId();
  const [text, setText] = useState('');
  const loading = useStudio((s) => s.lm.model.loading);
  const progress = useStudio((s) => s.lm.model.progress);
  const source = useStudio((s) => s.lm.model.source);
  const busy = useStudio(selectLmBusy);
  const hasModel = useStudio((s) => s.lm.model.summary !== null);

  const loadFolder = async (collect: Promise<CollectedDataset>): Promise<void> => {
    let collected: CollectedDataset;
    try {
      collected = await collect;
    } catch (error) {
      studioStore.getState().pushError(describeError('Could not read the model folder', error), 'lm/model');
      return;
    }
    if (collected.files.length === 0) {
      studioStore.getState().pushError({ title: 'Could not load the language model', message: 'The chosen folder has no files.', code: 'empty-folder' }, 'lm/model');
      return;
    }
    await loadLmModel(handle, filesSource(collected.files), collected.name);
  };

  const parsed = parseModelSource(text);

  return (
    <Panel title="Model" id={stepAnchor('lm', 'model')} className="panel--lm-model" testId="lm-model-panel">
      <LmModelSummaryView source={source} />
      {/* Other sources on demand: the studio opens on the built-in model. Open while none is loaded. */}
      <details className="disclosure" open={(!hasModel && !loading) || undefined}>
        <summary data-testid="lm-model-source-toggle">Use another model (the Hub, a URL, a folder)</summary>
      <div className="export-buttons">
        <button
          type="button"
          className="button button--primary"
          disabled={busy}
          data-testid="lm-builtin"
          title="A tiny chat model that ships with Tabtune"
          onClick={() => void loadLmModel(handle, builtinSource(), 'built-in tiny-chat-lm')}
        >
          Load the built-in tiny model
        </button>
      </div>
      <form
        className="model-source__url"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (parsed) void loadLmModel(handle, parsed, text.trim());
        }}
      >
        <div className="field">
          <label htmlFor={inputId}>Hugging Face model id or folder URL</label>
          <div className="field__control">
            <input
              id={inputId}
              type="text"
              placeholder="HuggingFaceTB/SmolLM2-135M or https://…/resolve/main/"
              value={text}
              disabled={busy}
              spellCheck={false}
              autoComplete="off"
              data-testid="lm-hub-input"
              onChange={(e) => setText(e.target.value)}
            />
          </div>
        </div>
        <button type="submit" className="button" disabled={busy || !parsed} data-testid="lm-hub-load">
          Load
        </button>
      </form>
      <WeightStorageField disabled={busy} />
      <DropZone label="Language model folder" disabled={busy} testId="lm-model-dropzone" onDrop={(dt) => void loadFolder(collectFromDrop(snapshotDrop(dt)))}>
        <p className="dropzone__hint">
          Or drop a model folder: <code>config.json</code>, <code>model.safetensors</code> (or an index and shards), <code>tokenizer.json</code>,{' '}
          <code>tokenizer_config.json</code>.
        </p>
        <FilePickerButton directory disabled={busy} inputTestId="lm-model-files-input" onFiles={(files) => void loadFolder(Promise.resolve(collectFromFileList(files)))}>
          Choose model folder…
        </FilePickerButton>
      </DropZone>
      </details>
      <InlineError place="lm/model" />
      {loading && (
        <div role="status" aria-live="polite" data-testid="lm-model-progress">
          {progress ? (
            <ProgressBar value={progress.done} max={progress.total} label={progress.label || 'Loading the model'} detail={<span className="progress__detail">{Math.round((progress.done / Math.max(1, progress.total)) * 100)}%</span>} />
          ) : (
            <p className="muted">Loading the model…</p>
          )}
        </div>
      )}
    </Panel>
  );
}

/** How the next load holds the frozen weights on WebGPU: float16 halves their memory. */
function WeightStorageField({ disabled }: { disabled: boolean }) {
  const id = useId();
  const storage = useStudio((s) => s.lm.model.weightStorage);
  return (
    <div className="field">
      <label htmlFor={id}>Frozen weights on WebGPU (applies to the next load)</label>
      <div className="field__control">
        <select
          id={id}
          value={storage}
          disabled={disabled}
          data-testid="lm-weight-storage"
          onChange={(e) => studioStore.getState().setLmWeightStorage(e.target.value as typeof storage)}
        >
          <option value="auto">Auto: float16 for float16 and bfloat16 checkpoints (exact, half the memory)</option>
          <option value="float16">float16 always (float32 checkpoints are rounded)</option>
          <option value="float32">float32 always</option>
        </select>
      </div>
    </div>
  );
}

function LmModelSummaryView({ source }: { source: string | null }) {
  const summary = useStudio((s) => s.lm.model.summary);
  if (!summary) return <p className="muted" data-testid="lm-model-empty">No language model loaded yet.</p>;
  const facts: [string, string][] = [
    ['Architecture', `${summary.family} (${summary.architecture})`],
    ['Layers', formatInteger(summary.numLayers)],
    ['Hidden size', formatInteger(summary.hiddenSize)],
    ['Heads / KV heads', `${summary.numHeads} / ${summary.numKvHeads}`],
    ['Context', `${formatInteger(summary.contextLength)} tokens`],
    ['Vocabulary', formatInteger(summary.vocabSize)],
    ['Parameters', formatInteger(summary.totalParams)],
    ['Weights', `${formatBytes(summary.weightBytes)}${summary.float16Weights > 0 ? ` (${formatInteger(summary.float16Weights)} tensors as float16)` : ' (float32)'}`],
    ['Chat template', summary.hasChatTemplate ? 'yes' : 'no (ChatML default)'],
  ];
  return (
    <div className="model-summary" data-testid="lm-model-summary" data-architecture={summary.architecture} data-layers={summary.numLayers} data-hidden={summary.hiddenSize} data-params={summary.totalParams}>
      <p className="model-summary__name">
        <strong>{summary.name}</strong>{' '}
        <span className="tag" data-testid="lm-model-family" title={`model_type ${summary.architecture}`}>
          {summary.family}
        </span>
        {source && <span className="muted"> · from {source}</span>}
      </p>
      <dl className="facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
