import { useId, useMemo, useState } from 'react';
import type { LmTrainConfig } from '../../../src/index.ts';
import { LossChart } from '../../components/LossChart.tsx';
import { NumberField } from '../../components/NumberField.tsx';
import { Panel } from '../../components/Panel.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { formatDuration, formatInteger, formatLoss } from '../../format.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import type { LmRunState } from '../../store/types.ts';
import { stopLm, trainLm } from './lmActions.ts';
import { CheckpointSettings } from '../checkpoints/CheckpointSettings.tsx';
import { SavedRuns } from '../checkpoints/SavedRuns.tsx';
import { buildLmChartData, lmEtaMs, parsePrompts } from './runMath.ts';
import { selectLmBusy, selectLmCanTrain } from './selectors.ts';

type NumberKey = Exclude<{ [K in keyof LmTrainConfig]: LmTrainConfig[K] extends number ? K : never }[keyof LmTrainConfig], undefined>;

const FIELDS: readonly { key: NumberKey; label: string; min: number; max: number; integer: boolean; testId: string; step?: number }[] = [
  { key: 'learningRate', label: 'Learning rate', min: 1e-7, max: 1, integer: false, testId: 'lm-lr' },
  { key: 'batchSize', label: 'Batch size', min: 1, max: 256, integer: true, testId: 'lm-batch' },
  { key: 'gradAccumulation', label: 'Grad. accumulation', min: 1, max: 256, integer: true, testId: 'lm-grad-accum' },
  { key: 'steps', label: 'Steps', min: 1, max: 100_000, integer: true, testId: 'lm-steps' },
  { key: 'warmupSteps', label: 'Warm-up steps', min: 0, max: 100_000, integer: true, testId: 'lm-warmup' },
  { key: 'weightDecay', label: 'Weight decay', min: 0, max: 1, integer: false, testId: 'lm-weight-decay' },
  { key: 'clipNorm', label: 'Clip norm (0 = off)', min: 0, max: 1000, integer: false, testId: 'lm-clip' },
  { key: 'evalEvery', label: 'Evaluate every', min: 1, max: 100_000, integer: true, testId: 'lm-eval-every' },
  { key: 'earlyStoppingPatience', label: 'Patience (0 = off)', min: 0, max: 1000, integer: true, testId: 'lm-patience' },
  { key: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, integer: true, testId: 'lm-seed' },
];

const STATE_TEXT: Record<LmRunState, string> = {
  idle: 'Ready when you are.',
  training: 'Training the adapter…',
  done: 'Finished. Try it or export the adapter below.',
  stopped: 'Stopped; the adapter trained so far is kept.',
  error: 'The run failed; see the message above.',
};

function setLmCheckpoint(checkpoint: NonNullable<LmTrainConfig['checkpoint']>): void {
  studioStore.getState().setLmTrainConfig({ checkpoint });
}

/** The run: settings, Train / Stop, the live loss chart, speed and ETA, samples at each evaluation, and the result. */
export function LmTrainingPanel() {
  const handle = useEngine();
  const config = useStudio((s) => s.lm.run.config);
  const state = useStudio((s) => s.lm.run.state);
  const running = useStudio((s) => s.lm.run.busy);
  const stopping = useStudio((s) => s.lm.run.stopping);
  const busy = useStudio(selectLmBusy);
  const canTrain = useStudio(selectLmCanTrain);
  const hasAdapter = useStudio((s) => s.lm.run.hasAdapter);
  const [invalid, setInvalid] = useState<ReadonlySet<NumberKey>>(new Set());
  const promptsId = useId();
  const [prompts, setPrompts] = useState(() => config.samplePrompts.join('\n'));
  const set = (patch: Partial<LmTrainConfig>): void => studioStore.getState().setLmTrainConfig(patch);
  const [checkpointValid, setCheckpointValid] = useState(true);
  const valid = invalid.size === 0 && checkpointValid;
  const whyNot = canTrain ? undefined : 'Load a model, import text with training rows, and choose at least one module to train';

  return (
    <Panel title="Training" className="panel--lm-training" testId="lm-training-panel">
      <div className="training-grid">
        <div className="training-grid__side">
          <fieldset className="config" disabled={running}>
            <legend className="visually-hidden">Training settings</legend>
            {FIELDS.map((f) => (
              <NumberField
                key={f.key}
                label={f.label}
                value={config[f.key]}
                min={f.min}
                max={f.max}
                integer={f.integer}
                testId={f.testId}
                onChange={(v) => set({ [f.key]: v })}
                onValidityChange={(ok) =>
                  setInvalid((prev) => {
                    const next = new Set(prev);
                    if (ok) next.delete(f.key);
                    else next.add(f.key);
                    return next;
                  })
                }
              />
            ))}
            <div className="field">
              <label htmlFor={`${promptsId}-schedule`}>Schedule</label>
              <div className="field__control">
                <select
                  id={`${promptsId}-schedule`}
                  value={config.schedule}
                  data-testid="lm-schedule"
                  onChange={(e) => set({ schedule: e.target.value as LmTrainConfig['schedule'] })}
                >
                  <option value="constant">constant</option>
                  <option value="cosine">cosine</option>
                  <option value="linear">linear</option>
                </select>
              </div>
            </div>
            <div className="field lm-field--wide">
              <label htmlFor={promptsId}>Sample prompts (one per line)</label>
              <textarea
                id={promptsId}
                rows={3}
                value={prompts}
                data-testid="lm-sample-prompts"
                onChange={(e) => {
                  setPrompts(e.target.value);
                  set({ samplePrompts: parsePrompts(e.target.value) });
                }}
              />
            </div>
            <label className="lm-check lm-field--wide">
              <input
                type="checkbox"
                checked={config.continueFromLastRun === true}
                disabled={!hasAdapter}
                data-testid="lm-continue"
                onChange={(e) => set({ continueFromLastRun: e.target.checked })}
              />
              Continue from the current adapter
            </label>
            <div className="lm-field--wide">
              <CheckpointSettings value={config.checkpoint} onChange={setLmCheckpoint} onValidityChange={(ok) => setCheckpointValid(ok)} testIdPrefix="lm" />
            </div>
          </fieldset>
          <div className="run-controls">
            <div className="run-controls__buttons">
              <button
                type="button"
                className="button button--primary"
                data-testid="lm-train"
                disabled={!canTrain || !valid || busy}
                title={!valid ? 'Fix the highlighted settings first' : whyNot}
                onClick={() => void trainLm(handle)}
              >
                Train
              </button>
              <button type="button" className="button" data-testid="lm-stop" disabled={!running || stopping} onClick={() => void stopLm(handle)}>
                {stopping ? 'Stopping…' : 'Stop'}
              </button>
            </div>
            <p className="run-state" aria-live="polite">
              <span className={`state-pill state-pill--${stopping ? 'stopping' : state}`} data-testid="lm-run-state" data-state={state}>
                {state}
              </span>
              <span className="muted">{stopping ? 'Stopping after the current step…' : STATE_TEXT[state]}</span>
            </p>
            <LmRunLogs />
          </div>
          <SavedRuns half="lm" canResume={canTrain && !busy} />
        </div>
        <div className="training-grid__main">
          <LmRunProgress />
          <LmChart />
          <LmResult />
          <LmSamples />
        </div>
      </div>
    </Panel>
  );
}

function LmRunLogs() {
  const logs = useStudio((s) => s.lm.run.logs);
  if (logs.length === 0) return null;
  return (
    <div className="run-log" role="status" aria-label="Run messages">
      {logs.map((m, i) => (
        <p key={i} className={i === logs.length - 1 ? 'run-log__latest' : 'run-log__earlier muted'} data-testid={i === logs.length - 1 ? 'lm-run-log' : undefined}>
          {m}
        </p>
      ))}
    </div>
  );
}

function LmRunProgress() {
  const steps = useStudio((s) => s.lm.run.steps);
  const total = useStudio((s) => s.lm.run.totalSteps);
  const elapsed = useStudio((s) => s.lm.run.elapsedMs);
  const running = useStudio((s) => s.lm.run.busy);
  const last = steps.at(-1);
  const done = last ? Math.max(last.step, steps.length) : 0;
  const eta = running ? lmEtaMs(done, total, elapsed) : null;
  if (!running && steps.length === 0) return null;
  return (
    <ProgressBar
      value={done}
      max={total}
      label={`step ${formatInteger(done)} of ${formatInteger(total)}`}
      testId="lm-progress"
      detail={
        <span className="progress__detail">
          <span data-testid="lm-tokens-per-second" data-value={last?.tokensPerSecond ?? 0}>
            {last ? `${formatInteger(last.tokensPerSecond)} tokens/s` : '— tokens/s'}
          </span>
          {' · '}
          <span data-testid="lm-eta">{eta !== null ? `about ${formatDuration(eta)} left` : `${formatDuration(elapsed)} elapsed`}</span>
        </span>
      }
    />
  );
}

function LmChart() {
  const steps = useStudio((s) => s.lm.run.steps);
  const evals = useStudio((s) => s.lm.run.evals);
  const data = useMemo(() => buildLmChartData(steps, evals), [steps, evals]);
  const last = steps.at(-1);
  const lastEval = evals.at(-1);
  return (
    <figure className="chart">
      <div
        className="chart__plot"
        data-testid="lm-loss-chart"
        data-step-points={steps.length}
        data-eval-points={evals.length}
        data-first-loss={steps[0]?.loss}
        data-last-loss={last?.loss}
        role="img"
        aria-label={last ? `Loss chart: training loss went from ${formatLoss(steps[0]?.loss)} to ${formatLoss(last.loss)} over ${steps.length} steps.` : 'Loss chart: no run yet.'}
      >
        <LossChart x={data.x} trainLoss={data.trainLoss} trainLossSmoothed={data.trainLossSmoothed} validationLoss={data.validationLoss} validationAccuracy={data.validationAccuracy} />
        {steps.length === 0 && <p className="chart__empty">Press Train: the loss appears here, step by step.</p>}
      </div>
      <figcaption className="chart__readout">
        <span>
          train loss <strong>{formatLoss(last?.loss)}</strong>
        </span>
        <span>
          val. loss <strong>{formatLoss(lastEval?.validationLoss)}</strong>
        </span>
        <span>
          learning rate <strong>{last ? last.learningRate.toExponential(2) : '—'}</strong>
        </span>
      </figcaption>
    </figure>
  );
}

function LmResult() {
  const result = useStudio((s) => s.lm.run.result);
  const running = useStudio((s) => s.lm.run.busy);
  if (!result || running) return null;
  const adapted = result.evals.at(-1)?.validationLoss ?? null;
  const base = result.baseValidationLoss;
  return (
    <div className="evaluation__scores lm-result" data-testid="lm-result" data-state={result.state}>
      <div className="score">
        <span className="score__label muted">Validation loss, adapted</span>
        <strong className="score__value" data-testid="lm-val-loss" data-value={adapted ?? ''}>
          {formatLoss(adapted)}
        </strong>
        <span className="score__detail muted">
          after {formatInteger(result.steps)} steps{result.stoppedEarly ? ' (stopped early)' : ''}; final train loss {formatLoss(result.finalLoss)}
        </span>
      </div>
      <div className="score">
        <span className="score__label muted">Validation loss, base model</span>
        <strong className="score__value" data-testid="lm-base-val-loss" data-value={base}>
          {formatLoss(base)}
        </strong>
        <span className="score__detail muted">
          {adapted !== null && Number.isFinite(base) ? `${adapted < base ? 'improved' : 'changed'} by ${formatLoss(Math.abs(base - adapted))}` : 'same rows, adapter off'}
        </span>
      </div>
    </div>
  );
}

function LmSamples() {
  const evals = useStudio((s) => s.lm.run.evals);
  const withSamples = evals.filter((e) => e.samples.length > 0);
  if (withSamples.length === 0) return null;
  return (
    <div className="lm-samples" aria-label="Sample generations at each evaluation">
      <h3>Samples at each evaluation</h3>
      {[...withSamples].reverse().map((e) => (
        <details key={e.step} className="lm-samples__eval" open={e === withSamples.at(-1)}>
          <summary>
            step {e.step} · val. loss {formatLoss(e.validationLoss)}
          </summary>
          <ul>
            {e.samples.map((s, i) => (
              <li key={i} data-testid="lm-sample" data-step={e.step}>
                <span className="lm-samples__prompt">{s.prompt}</span>
                <span className="lm-samples__text">{s.text}</span>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}
