import type { RunState } from '../../../src/index.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { isRunActive, selectCanTrain, selectHasDataset, selectRunState } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { pauseTraining, resumeTraining, startTraining, stopTraining } from './trainActions.ts';

const STATE_TEXT: Record<RunState, string> = {
  idle: 'Ready when you are.',
  preparing: 'Preparing: extracting features from the frozen base…',
  training: 'Training the new head…',
  paused: 'Paused between steps.',
  stopping: 'Stopping after the current step…',
  done: 'Finished. Try the model or download it below.',
  stopped: 'Stopped early; the head trained so far is kept.',
  error: 'The run failed; see the message above.',
};

/** Train, Stop, Pause / Resume, where the run stands, and what the engine said about it. */
export function RunControls({ configValid }: { configValid: boolean }) {
  const handle = useEngine();
  const runState = useStudio(selectRunState);
  const canTrain = useStudio(selectCanTrain);
  const hasDataset = useStudio(selectHasDataset);
  const busy = useStudio((s) => s.training.busy);
  const logs = useStudio((s) => s.training.logs);
  const active = busy || isRunActive(runState);
  const whyNot = !hasDataset ? 'Import a dataset first' : !configValid ? 'Fix the highlighted settings first' : undefined;

  return (
    <div className="run-controls">
      <div className="run-controls__buttons">
        <button
          type="button"
          className="button button--primary"
          data-testid="train-button"
          disabled={!canTrain || !configValid}
          title={whyNot}
          onClick={() => void startTraining(handle)}
        >
          Train
        </button>
        <button
          type="button"
          className="button"
          data-testid="stop-button"
          disabled={!active || runState === 'stopping'}
          onClick={() => void stopTraining(handle)}
        >
          Stop
        </button>
        {runState === 'paused' ? (
          <button type="button" className="button" data-testid="resume-button" onClick={() => void resumeTraining(handle)}>
            Resume
          </button>
        ) : (
          <button
            type="button"
            className="button"
            data-testid="pause-button"
            disabled={runState !== 'training'}
            title={runState === 'training' ? 'Hold the run between steps' : 'Available while training'}
            onClick={() => void pauseTraining(handle)}
          >
            Pause
          </button>
        )}
      </div>
      <p className="run-state" aria-live="polite">
        <span className={`state-pill state-pill--${runState}`} data-testid="run-state">
          {runState}
        </span>
        <span className="muted">{STATE_TEXT[runState]}</span>
      </p>
      {logs.length > 0 && (
        <div className="run-log" role="status" aria-label="Run messages">
          {logs.slice(0, -1).map((message, i) => (
            <p key={i} className="run-log__earlier muted">
              {message}
            </p>
          ))}
          <p className="run-log__latest" data-testid="run-log">
            {logs.at(-1)}
          </p>
        </div>
      )}
    </div>
  );
}
