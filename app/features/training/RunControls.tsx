import type { RunState, TaskKind } from '../../../src/index.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { isRunActive, selectCanTrain, selectWhyNotTrain } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { classifierPlanWords, lmPlanWords } from '../studio/runSummary.ts';
import { RUN_TEST_IDS } from './runTestIds.ts';
import { pauseRun, resumePausedRun, startRun, stopRun } from './trainActions.ts';

/**
 * What the run is doing, naming what trains (`what`: "LoRA r=4 on 5 layers, plus the new head").
 * Errors are shown beside these controls, so the failed state points there.
 */
export function stateText(task: TaskKind, state: RunState, what: string): string {
  const thing = task === 'lm' ? 'the adapter' : 'the model';
  switch (state) {
    case 'idle':
      return 'Ready: press Train.';
    case 'preparing':
      return task === 'lm' ? 'Preparing the adapter…' : 'Preparing: extracting features from the frozen base…';
    case 'training':
      return `Training ${what}…`;
    case 'paused':
      return 'Paused between steps.';
    case 'stopping':
      return 'Stopping after the current step…';
    case 'done':
      return `Finished. Try ${thing} or export it.`;
    case 'stopped':
      return `Stopped early; what ${thing} learned so far is kept.`;
    case 'error':
      return 'The run failed; the reason is below.';
  }
}

/** Train, Stop, Pause / Resume and where the run stands: the same for every task. */
export function RunControls({ task, configValid }: { task: TaskKind; configValid: boolean }) {
  const handle = useEngine();
  const ids = RUN_TEST_IDS[task];
  const runState = useStudio((s) => s.runs[task].runState);
  const busy = useStudio((s) => s.runs[task].busy);
  const what = useStudio((s) => (task === 'lm' ? lmPlanWords(s.lm.plan.modules) : classifierPlanWords(s.plan.layers)));
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
        <span className="muted" data-testid={`${ids.state}-text`}>
          {stateText(task, runState, what)}
        </span>
      </p>
    </div>
  );
}
