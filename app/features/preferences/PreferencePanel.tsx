import { useEffect, useMemo } from 'react';
import { PREFERENCE_LOSSES, type PreferenceDatasetOptions, type PreferenceDatasetSummary, type PreferenceLoss } from '../../../src/index.ts';
import { DropZone } from '../../components/DropZone.tsx';
import { FilePickerButton } from '../../components/FilePickerButton.tsx';
import { NumberField } from '../../components/NumberField.tsx';
import { Panel } from '../../components/Panel.tsx';
import { debounce } from '../../debounce.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { formatInteger } from '../../format.ts';
import { selectLmBusy } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { importPreferences, loadSamplePreferences, reimportPreferences } from './preferenceActions.ts';

const REIMPORT_DEBOUNCE_MS = 300;

const FORMAT_TEXT: Record<PreferenceDatasetSummary['format'], string> = {
  preference: 'TRL prompt / chosen / rejected',
  'preference-chat': 'TRL conversational',
  'openai-preference': 'OpenAI preference',
};

const LOSS_TEXT: Record<PreferenceLoss, string> = {
  sigmoid: 'DPO (sigmoid)',
  ipo: 'IPO',
  hinge: 'hinge (SLiC)',
  robust: 'robust DPO',
  simpo: 'SimPO (no reference)',
  orpo: 'ORPO (no reference)',
};

/**
 * The language model's objective: supervised tuning on the text above, or preferences between two
 * answers (DPO and friends) on a dropped preference .jsonl, with the pairs previewed side by side.
 */
export function PreferencePanel() {
  const handle = useEngine();
  const objective = useStudio((s) => s.preference.objective);
  const hasModel = useStudio((s) => s.lm.model.summary !== null);
  const context = useStudio((s) => s.lm.model.summary?.contextLength ?? 4096);
  const busy = useStudio(selectLmBusy);
  const importing = useStudio((s) => s.preference.importing);
  const options = useStudio((s) => s.preference.options);
  const settings = useStudio((s) => s.preference.settings);
  const disabled = busy || !hasModel;

  const reimport = useMemo(() => debounce(() => void reimportPreferences(handle), REIMPORT_DEBOUNCE_MS), [handle]);
  useEffect(() => () => reimport.cancel(), [reimport]);
  const setOption = (patch: Partial<PreferenceDatasetOptions>): void => {
    studioStore.getState().setPreferenceOptions(patch);
    if (handle.held.lmPrefs) reimport();
  };
  const pick = (files: File[]): void => {
    const file = files[0];
    if (!file) return;
    if (!/\.(jsonl|json)$/i.test(file.name)) {
      studioStore.getState().pushError({ title: 'Could not import the preference pairs', message: `${file.name} is not a .jsonl file.`, code: 'bad-file' });
      return;
    }
    void importPreferences(handle, file.name, file);
  };
  const setObjective = (value: 'sft' | 'preference') => studioStore.getState().setLmObjective(value);

  return (
    <Panel title="Objective" className="panel--lm-preferences" testId="preference-panel">
      <fieldset className="field-row" disabled={busy}>
        <legend className="visually-hidden">What the run optimises</legend>
        <label className="lm-check">
          <input type="radio" name="lm-objective" checked={objective === 'sft'} data-testid="objective-sft" onChange={() => setObjective('sft')} />
          Text (supervised: imitate the answers)
        </label>
        <label className="lm-check">
          <input type="radio" name="lm-objective" checked={objective === 'preference'} data-testid="objective-preference" onChange={() => setObjective('preference')} />
          Preferences (prefer the chosen answer over the rejected one)
        </label>
      </fieldset>
      {objective === 'preference' && (
        <>
          <DropZone label="Preference pairs drop zone" disabled={disabled} testId="pref-dropzone" onDrop={(dt) => pick(Array.from(dt.files))}>
            <p className="dropzone__title">Drop a preference .jsonl file</p>
            <p className="dropzone__hint">
              <code>{'{"prompt","chosen","rejected"}'}</code> as text or message lists (TRL), or OpenAI&apos;s <code>{'{"input","preferred_output","non_preferred_output"}'}</code>.
              {!hasModel && ' Load a model first: its tokenizer reads the pairs.'}
            </p>
            <div className="export-buttons">
              <FilePickerButton accept=".jsonl,.json,application/jsonl" disabled={disabled} inputTestId="pref-input" onFiles={pick}>
                Choose file…
              </FilePickerButton>
              <button type="button" className="button" disabled={disabled} data-testid="pref-sample" onClick={() => void loadSamplePreferences(handle)}>
                Sample pairs
              </button>
            </div>
            {importing && (
              <p className="dropzone__status" role="status">
                Tokenizing…
              </p>
            )}
          </DropZone>
          <fieldset className="lm-options" disabled={busy}>
            <legend className="visually-hidden">Objective settings</legend>
            <div className="field-row">
              <label className="field">
                <span className="field__label">Loss</span>
                <select value={settings.loss} data-testid="pref-loss" onChange={(e) => studioStore.getState().setPreferenceSettings({ loss: e.target.value as PreferenceLoss })}>
                  {PREFERENCE_LOSSES.map((l) => (
                    <option key={l} value={l}>
                      {LOSS_TEXT[l]}
                    </option>
                  ))}
                </select>
              </label>
              <NumberField label="Beta" value={settings.beta} min={0.001} max={100} testId="pref-beta" onChange={(beta) => studioStore.getState().setPreferenceSettings({ beta })} />
            </div>
            <div className="field-row">
              <NumberField label="Max length" suffix="tokens" value={options.maxLength} min={8} max={context} integer testId="pref-max-length" onChange={(maxLength) => setOption({ maxLength })} />
              <label className="field">
                <span className="field__label">Longer pairs</span>
                <select value={options.overLong} data-testid="pref-over-long" onChange={(e) => setOption({ overLong: e.target.value as 'truncate' | 'skip' })}>
                  <option value="truncate">cut at max length (as TRL)</option>
                  <option value="skip">leave out</option>
                </select>
              </label>
              <NumberField label="Validation fraction" value={options.validationFraction} min={0} max={0.5} step={0.05} testId="pref-validation-fraction" onChange={(validationFraction) => setOption({ validationFraction })} />
            </div>
          </fieldset>
          <PreferenceSummaryView />
        </>
      )}
    </Panel>
  );
}

function PreferenceSummaryView() {
  const summary = useStudio((s) => s.preference.summary);
  if (!summary) return <p className="muted">No preference pairs loaded yet.</p>;
  return (
    <div className="lm-data-summary" data-testid="pref-summary">
      <p className="dataset-title">
        <span className="dataset-title__name">{summary.name}</span>
      </p>
      <dl className="facts">
        <div>
          <dt>Format</dt>
          <dd data-testid="pref-format" data-value={summary.format}>
            {FORMAT_TEXT[summary.format]}
          </dd>
        </div>
        <div>
          <dt>Pairs</dt>
          <dd data-testid="pref-pairs" data-value={summary.pairs}>
            {formatInteger(summary.pairs)}
          </dd>
        </div>
        <div>
          <dt>Train / validation</dt>
          <dd data-testid="pref-split">
            {formatInteger(summary.train)} / {formatInteger(summary.validation)}
          </dd>
        </div>
        <div>
          <dt>Longer than max length</dt>
          <dd data-testid="pref-too-long">{formatInteger(summary.tooLong)}</dd>
        </div>
      </dl>
      <table className="pref-preview" data-testid="pref-preview">
        <thead>
          <tr>
            <th scope="col">Prompt</th>
            <th scope="col">Chosen</th>
            <th scope="col">Rejected</th>
          </tr>
        </thead>
        <tbody>
          {summary.preview.map((p) => (
            <tr key={p.line} data-testid="pref-pair" data-line={p.line}>
              <td className="pref-preview__prompt">{p.prompt}</td>
              <td className="pref-preview__chosen">{p.chosen}</td>
              <td className="pref-preview__rejected">{p.rejected}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {summary.issues.length > 0 && (
        <div className="issues">
          <h3>
            {formatInteger(summary.badLines)} line{summary.badLines === 1 ? '' : 's'} left out
          </h3>
          <ul className="issues__list" data-testid="pref-issues">
            {summary.issues.map((issue, i) => (
              <li key={`${issue.line}-${i}`} data-testid="pref-issue" data-line={issue.line}>
                {issue.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
