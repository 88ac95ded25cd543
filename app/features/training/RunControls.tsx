import type { RunState, TaskKind } from '../../../src/index.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { isRunActive, selectCanTrain, selectWhyNotTrain } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { RUN_TEST_IDS } from './runTestIds.ts';
import { pauseRun, resumePausedRun, startRun, stopRun } from './trainActions.ts';

const STATE_TEXT: Record<TaskKind, Record<RunState, string>> = {
  classifier: {
    idle: 'Ready when you are.',
    preparing: 'Preparing: extracting features from the frozen base…',
    training: 'Training…',
    paused: 'Paused between steps.',
    stopping: 'Stopping after the current step…',
    done: 'Finished. Try the model or download it below.',
    stopped: 'Stopped early; what was trained so far is kept.',
    error: 'The run failed; see the message above.',
  },
  lm: {
    idle: 'Ready when you are.',
    preparing: 'Preparing the adapter…',
    training: 'Training the adapter…',
    paused: 'Paused between steps.',
    stopping: 'Stopping after the current step…',
    done: 'Finished. Try it or export the adapter below.',
    stopped: 'Stopped; the adapter trained so far is kept.',
    error: 'The run failed; see the message above.',
  },
};

/** Train, Stop, Pause / Resume, where the run stands, and what the engine said about it: the same for every task. */
export function RunControls({ task, configValid }: { task: TaskKind; configValid: boolean }) {
  const handle = useEngine();
  const ids = RUN_TEST_IDS[task];
  const runState = useStudio((s) => s.runs[task].runState);
  const busy = useStudio((s) => s.runs[task].busy);
  const logs = useStudio((s) => s.runs[task].logs);
  const canTrain = useStudio((s) => selectCanTrain(s, task));
  const whyNotTrain = useStudio((s) => selectWhyNotTrain(s, task));
  const active = busy || isRunActive(runState);
  const whyNot = !configValid ? 'Fix the highlighted settings first' : whyNotTrain;

  return (
    <div className="run-controls">
      <div className="run-controls__buttons">
        <button
          type="button"
          className="button button--primary"
          data-testid={ids.train}
          disabled={!canTrain || !configValid}
          title={whyNot}
          onClick={() => void startRun(handle, task)}
        >
          Train
        </button>
        <button type="button" className="button" data-testid={ids.stop} disabled={!active || runState === 'stopping'} onClick={() => void stopRun(handle)}>
          {runState === 'stopping' ? 'Stopping…' : 'Stop'}
        </button>
        {runState === 'paused' ? (
          <button type="button" className="button" data-testid={ids.resume} onClick={() => void resumePausedRun(handle)}>
            Resume
          </button>
        ) : (
          <button
            type="button"
            className="button"
            data-testid={ids.pause}
            disabled={runState !== 'training'}
            title={runState === 'training' ? 'Hold the run between steps' : 'Available while training'}
            onClick={() => void pauseRun(handle)}
          >
            Pause
          </button>
        )}
      </div>
      <p className="run-state" aria-live="polite">
        <span className={`state-pill state-pill--${runState}`} data-testid={ids.state} data-state={runState}>
          {runState}
        </span>
        <span className="muted">{STATE_TEXT[task][runState]}</span>
      </p>
      {logs.length > 0 && (
        <div className="run-log" role="status" aria-label="Run messages">
          {logs.slice(0, -1).map((message, i) => (
            <p key={i} className="run-log__earlier muted">
              {message}
            </p>
          ))}
          <p className="run-log__latest" data-testid={ids.log}>
            {logs.at(-1)}
          </p>
        </div>
      )}
    </div>
  );
}
