import type { RunState } from '../../../src/index.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { isRunActive, selectCanTrain, selectHasDataset, selectRunState } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { startTraining, stopTraining } from './trainActions.ts';

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

/** Train and Stop, and where the run stands. */
export function RunControls({ configValid }: { configValid: boolean }) {
  const handle = useEngine();
  const runState = useStudio(selectRunState);
  const canTrain = useStudio(selectCanTrain);
  const hasDataset = useStudio(selectHasDataset);
  const busy = useStudio((s) => s.training.busy);
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
      </div>
      <p className="run-state" aria-live="polite">
        <span className={`state-pill state-pill--${runState}`} data-testid="run-state">
          {runState}
        </span>
        <span className="muted">{STATE_TEXT[runState]}</span>
      </p>
    </div>
  );
}
