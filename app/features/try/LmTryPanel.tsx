import { useEffect, useId, useMemo } from 'react';
import { NumberField } from '../../components/NumberField.tsx';
import { Panel } from '../../components/Panel.tsx';
import { InlineError } from '../notices/InlineError.tsx';
import { stepAnchor } from '../studio/flowSteps.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { formatLoss } from '../../format.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import type { GenerationSettings, GenerationStream } from '../../store/generationSlice.ts';
import { debounce } from '../../debounce.ts';
import { selectHasTrainedRun, selectLmBusy } from '../../store/selectors.ts';
import { stopRun } from '../training/trainActions.ts';
import { applyLmStrength, generateBoth } from './generate.ts';

const STRENGTH_DEBOUNCE_MS = 150;

/** Prompt the base model and the adapted one side by side; scale the adapter between them. */
export function LmTryPanel() {
  const handle = useEngine();
  const id = useId();
  const settings = useStudio((s) => s.generation.settings);
  const generating = useStudio((s) => s.generation.generating);
  const hasModel = useStudio((s) => s.lm.model.summary !== null);
  const hasTemplate = useStudio((s) => s.lm.model.summary?.hasChatTemplate ?? true);
  const busy = useStudio(selectLmBusy);
  const set = (patch: Partial<GenerationSettings>): void => studioStore.getState().setGenerationSettings(patch);

  return (
    <Panel title="Try it" id={stepAnchor('lm', 'try')} className="panel--lm-try" testId="lm-try-panel">
      <form
        className="lm-try"
        onSubmit={(e) => {
          e.preventDefault();
          void generateBoth(handle);
        }}
      >
        <div className="field">
          <label htmlFor={id}>Prompt</label>
          <textarea
            id={id}
            rows={3}
            value={settings.prompt}
            data-testid="lm-prompt"
            onChange={(e) => set({ prompt: e.target.value })}
            onKeyDown={(e) => {
              // Ctrl/Cmd+Enter generates without leaving the keyboard.
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                if (!busy && hasModel) void generateBoth(handle);
              }
            }}
          />
        </div>
        <div className="lm-try__settings">
          <label className="lm-check" title={hasTemplate ? 'Wrap the prompt as a user turn with the model’s chat template' : 'The model has no chat template: a ChatML default is used'}>
            <input type="checkbox" checked={settings.chat} data-testid="lm-chat" onChange={(e) => set({ chat: e.target.checked })} />
            Chat
          </label>
          <NumberField label="Max new tokens" value={settings.maxNewTokens} min={1} max={2048} integer testId="lm-max-new-tokens" onChange={(maxNewTokens) => set({ maxNewTokens })} />
          <NumberField label="Temperature (0 = greedy)" value={settings.temperature} min={0} max={5} testId="lm-temperature" onChange={(temperature) => set({ temperature })} />
          <NumberField label="Top-k (0 = off)" value={settings.topK} min={0} max={100_000} integer testId="lm-top-k" onChange={(topK) => set({ topK })} />
          <NumberField label="Top-p (1 = off)" value={settings.topP} min={0.01} max={1} testId="lm-top-p" onChange={(topP) => set({ topP })} />
          <NumberField label="Seed" value={settings.seed} min={0} max={2 ** 31 - 1} integer testId="lm-gen-seed" onChange={(seed) => set({ seed })} />
        </div>
        <div className="export-buttons">
          <button type="submit" className="button button--primary" data-testid="lm-generate" disabled={busy || !hasModel} aria-busy={generating}>
            {generating ? 'Generating…' : 'Generate'}
          </button>
          <button type="button" className="button" data-testid="lm-generate-stop" disabled={!generating} onClick={() => void stopRun(handle)}>
            Stop
          </button>
        </div>
      </form>
      <InlineError place="lm/try" />
      <div className="lm-outputs">
        <LmOutput which="base" title="Base model" />
        <LmOutput which="adapted" title="With the adapter" />
      </div>
      <LmStrength />
    </Panel>
  );
}

function LmOutput({ which, title }: { which: 'base' | 'adapted'; title: string }) {
  const stream: GenerationStream = useStudio((s) => s.generation[which]);
  const started = stream.requestId !== null || stream.skipped !== null;
  return (
    <figure className="lm-output">
      <figcaption>
        {title}
        {stream.done && stream.finish && <span className="muted"> · {stream.tokens} tokens, stopped at {stream.finish === 'eos' ? 'end of text' : stream.finish}</span>}
      </figcaption>
      <pre
        className="lm-output__text"
        data-testid={`lm-output-${which}`}
        data-done={stream.done ? 'true' : 'false'}
        data-request-id={stream.requestId ?? ''}
        aria-live="polite"
        aria-busy={started && !stream.done}
      >
        {stream.text}
        {!started && <span className="muted">Press Generate.</span>}
        {stream.skipped && <span className="muted">{stream.text ? '\n' : ''}{stream.skipped}</span>}
      </pre>
    </figure>
  );
}

function LmStrength() {
  const handle = useEngine();
  const id = useId();
  const strength = useStudio((s) => s.generation.strength);
  const loss = useStudio((s) => s.generation.strengthLoss);
  const hasAdapter = useStudio((s) => selectHasTrainedRun(s, 'lm'));
  const busy = useStudio(selectLmBusy);
  const send = useMemo(() => debounce((v: number) => void applyLmStrength(handle, v), STRENGTH_DEBOUNCE_MS), [handle]);
  useEffect(() => () => send.cancel(), [send]);
  return (
    <div className="lm-strength">
      <label htmlFor={id}>
        Adapter strength <strong>{strength.toFixed(2)}</strong>
      </label>
      <input
        id={id}
        type="range"
        min={0}
        max={1}
        step={0.05}
        value={strength}
        disabled={!hasAdapter || busy}
        data-testid="lm-strength"
        aria-valuetext={`${Math.round(strength * 100)}% of the trained update`}
        onChange={(e) => {
          const v = Number(e.target.value);
          studioStore.getState().setStrength(v);
          send(v);
        }}
      />
      <span className="muted">
        validation loss at this strength:{' '}
        <strong data-testid="lm-strength-loss" data-value={loss ?? ''}>
          {formatLoss(loss)}
        </strong>
      </span>
    </div>
  );
}
