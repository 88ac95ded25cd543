import { useEffect, useMemo } from 'react';
import type { LmDatasetOptions, LmDatasetSummary } from '../../../src/index.ts';
import { DropZone } from '../../components/DropZone.tsx';
import { FilePickerButton } from '../../components/FilePickerButton.tsx';
import { NumberField } from '../../components/NumberField.tsx';
import { Panel } from '../../components/Panel.tsx';
import { InlineError } from '../notices/InlineError.tsx';
import { stepAnchor } from '../studio/flowSteps.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { formatInteger } from '../../format.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { importLmText, loadSampleChat, reimportLmText } from './lmTextActions.ts';
import { lmFileCounts } from './importCounts.ts';
import { histogramBars } from './histogram.ts';
import { debounce } from '../../debounce.ts';
import { selectLmBusy } from '../../store/selectors.ts';

const REIMPORT_DEBOUNCE_MS = 300;
const TEXT_FILE = /\.(txt|jsonl|json)$/i;

const FORMAT_TEXT: Record<LmDatasetSummary['format'], string> = {
  'plain-text': 'plain text',
  text: 'JSONL {"text"}',
  'prompt-completion': 'JSONL prompt / completion',
  chat: 'JSONL chat messages',
  alpaca: 'Alpaca (instruction / input / output)',
};

/** The text to train on: a .txt or .jsonl file, how it is cut into rows, and what came of it. */
export function LmDatasetPanel() {
  const handle = useEngine();
  const hasModel = useStudio((s) => s.lm.model.summary !== null);
  const context = useStudio((s) => s.lm.model.summary?.contextLength ?? 4096);
  const busy = useStudio(selectLmBusy);
  const importing = useStudio((s) => s.lm.dataset.importing);
  const options = useStudio((s) => s.lm.dataset.options);
  const disabled = busy || !hasModel;

  const reimport = useMemo(() => debounce(() => void reimportLmText(handle), REIMPORT_DEBOUNCE_MS), [handle]);
  useEffect(() => () => reimport.cancel(), [reimport]);
  const setOption = (patch: Partial<LmDatasetOptions>): void => {
    studioStore.getState().setLmDatasetOptions(patch);
    if (handle.held.lmText) reimport();
  };

  const pick = (files: File[]): void => {
    const file = files[0];
    if (!file) return;
    if (!TEXT_FILE.test(file.name)) {
      studioStore.getState().pushError({ title: 'Could not import the text', message: `${file.name} is not a .txt or .jsonl file.`, code: 'bad-file' }, 'lm/data');
      return;
    }
    void importLmText(handle, file.name, file);
  };

  return (
    <Panel title="Data" id={stepAnchor('lm', 'data')} className="panel--lm-dataset" testId="lm-dataset-panel">
      <DropZone label="Text data file" disabled={disabled} testId="lm-data-dropzone" onDrop={(dt) => pick(Array.from(dt.files))}>
        <p className="dropzone__title">Drop a .txt or .jsonl file</p>
        <p className="dropzone__hint">
          Plain text, or JSON lines: <code>{'{"text"}'}</code>, <code>{'{"prompt","completion"}'}</code>, <code>{'{"messages"}'}</code> or Alpaca.
          {!hasModel && ' Load a model first: its tokenizer reads the data.'}
        </p>
        <div className="export-buttons">
          <FilePickerButton accept=".txt,.jsonl,.json,text/plain,application/jsonl" disabled={disabled} inputTestId="lm-data-input" onFiles={pick}>
            Choose file…
          </FilePickerButton>
          <button type="button" className="button" disabled={disabled} data-testid="lm-sample-data" onClick={() => void loadSampleChat(handle)}>
            Sample chat data
          </button>
        </div>
        {importing && (
          <p className="dropzone__status" role="status">
            Tokenizing…
          </p>
        )}
      </DropZone>
      <InlineError place="lm/data" />
      <fieldset className="lm-options" disabled={busy}>
        <legend className="visually-hidden">How the text becomes rows</legend>
        <div className="field-row">
          <NumberField
            label="Max length"
            suffix="tokens"
            value={options.maxLength}
            min={8}
            max={context}
            integer
            testId="lm-max-length"
            onChange={(maxLength) => setOption({ maxLength })}
          />
          <NumberField
            label="Validation fraction"
            value={options.validationFraction}
            min={0}
            max={0.5}
            step={0.05}
            testId="lm-validation-fraction"
            onChange={(validationFraction) => setOption({ validationFraction })}
          />
        </div>
        <div className="field-row">
          <label className="lm-check">
            <input type="checkbox" checked={options.packing} data-testid="lm-packing" onChange={(e) => setOption({ packing: e.target.checked })} />
            Packing (fill rows of max length)
          </label>
          <label className="lm-check">
            <input type="checkbox" checked={options.trainOnPrompt} data-testid="lm-train-on-prompt" onChange={(e) => setOption({ trainOnPrompt: e.target.checked })} />
            Also train on prompts
          </label>
        </div>
      </fieldset>
      <LmDatasetSummaryView />
    </Panel>
  );
}

function LmDatasetSummaryView() {
  const summary = useStudio((s) => s.lm.dataset.summary);
  if (!summary) return <p className="muted">No text loaded yet.</p>;
  const facts: [string, string, string, number | string][] = [
    ['Format', FORMAT_TEXT[summary.format] ?? summary.format, 'lm-data-format', summary.format],
    ['Examples', formatInteger(summary.examples), 'lm-data-examples', summary.examples],
    ['Train / validation', `${formatInteger(summary.train)} / ${formatInteger(summary.validation)}`, 'lm-data-split', summary.train],
    ['Tokens', formatInteger(summary.totalTokens), 'lm-data-tokens', summary.totalTokens],
    ['Trained tokens', formatInteger(summary.trainedTokens), 'lm-data-trained-tokens', summary.trainedTokens],
    ['Truncated', formatInteger(summary.truncated), 'lm-data-truncated', summary.truncated],
  ];
  return (
    <div className="lm-data-summary" data-testid="lm-data-summary">
      <p className="dataset-title">
        <span className="dataset-title__name">{summary.name}</span>
      </p>
      <p className="muted" data-testid="lm-data-file-counts">
        {lmFileCounts(summary)}
      </p>
      <dl className="facts">
        {facts.map(([k, v, id, raw]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd data-testid={id} data-value={raw}>
              {v}
            </dd>
          </div>
        ))}
      </dl>
      <LmHistogram histogram={summary.histogram} />
      {summary.issues.length > 0 && (
        <div className="issues">
          <h3>
            {formatInteger(summary.badLines)} line{summary.badLines === 1 ? '' : 's'} skipped
          </h3>
          <ul className="issues__list" data-testid="lm-issues">
            {summary.issues.map((issue, i) => (
              <li key={`${issue.line}-${i}`} data-testid="lm-issue" data-line={issue.line}>
                <strong>line {issue.line}</strong>: {issue.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function LmHistogram({ histogram }: { histogram: LmDatasetSummary['histogram'] }) {
  const bars = histogramBars(histogram);
  if (bars.length === 0) return null;
  return (
    <figure className="lm-histogram">
      <div
        className="lm-histogram__bars"
        data-testid="lm-histogram"
        data-bins={bars.length}
        role="img"
        aria-label={`Token lengths: mean ${Math.round(histogram.mean)}, longest ${histogram.longest}, ${histogram.above} above the max length of ${histogram.maxLength}.`}
      >
        {bars.map((b, i) => (
          <div key={i} className={b.over ? 'lm-histogram__bar lm-histogram__bar--over' : 'lm-histogram__bar'} title={`${b.label} tokens: ${b.count}`} data-count={b.count}>
            <span style={{ height: `${Math.max(b.count > 0 ? 2 : 0, b.fraction * 100)}%` }} />
          </div>
        ))}
      </div>
      <figcaption className="muted">
        Token lengths ({bars[0]?.label} … {bars.at(-1)?.label}): mean {Math.round(histogram.mean)}, longest {formatInteger(histogram.longest)}; max length{' '}
        {formatInteger(histogram.maxLength)}.
      </figcaption>
    </figure>
  );
}
