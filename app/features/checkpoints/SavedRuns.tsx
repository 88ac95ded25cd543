import { modelLabel, type SavedRun, type TaskKind } from '../../../src/index.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { formatBytes, formatInteger } from '../../format.ts';
import { pendingResume, taskOf } from '../../store/checkpointSlice.ts';
import { selectTaskRunning } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { deleteFinishedRuns, deleteSavedRun, discardRun, resumeRun } from './checkpointActions.ts';
import { useTrainingElsewhere } from './useTrainingElsewhere.ts';

function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function describeRun(run: SavedRun): string {
  return `${modelLabel(run.modelName)} on ${run.datasetName}`;
}

/** Where a listed run stands: training now (in this page or another tab), finished, or stopped at a step. */
function RunStatus({ run, training }: { run: SavedRun; training: 'here' | 'elsewhere' | null }) {
  if (training === 'here') return <span className="run-badge run-badge--live" data-testid="saved-run-status">training now</span>;
  if (training === 'elsewhere') return <span className="run-badge run-badge--live" data-testid="saved-run-status">training in another tab</span>;
  if (run.finished) return <span className="run-badge run-badge--done" data-testid="saved-run-status">finished</span>;
  return (
    <span className="run-badge" data-testid="saved-run-status">
      stopped at step {formatInteger(run.step)} of {formatInteger(run.totalSteps)}
    </span>
  );
}

/**
 * On startup: "An unfinished run ... can be resumed" with Resume and Discard; then the saved runs
 * of this task by name, with where each stands, its size, and Resume or Delete. The run this page is
 * training is never offered (it is answered as it starts) and cannot be deleted under it; finished
 * runs are marked and can be cleared in one go. `canResume`: a model and dataset are loaded and
 * nothing runs (the engine still checks they are the run's own).
 */
export function SavedRuns({ task, canResume }: { task: TaskKind; canResume: boolean }) {
  const handle = useEngine();
  const pending = useStudio((s) => pendingResume(s.checkpoints, task));
  const allRuns = useStudio((s) => s.checkpoints.runs);
  const resuming = useStudio((s) => s.checkpoints.resuming);
  const runningId = useStudio((s) => (selectTaskRunning(s, task) ? s.checkpoints.runningId : null));
  const runs = allRuns.filter((r) => taskOf(r) === task);
  // Another tab holds the training lock: the newest unfinished run (of any task) is most likely the one it trains.
  const elsewhere = useTrainingElsewhere();
  const elsewhereId = elsewhere ? (allRuns.filter((r) => !r.finished).sort((a, b) => b.savedAt - a.savedAt)[0]?.runId ?? null) : null;
  const trainingOf = (run: SavedRun): 'here' | 'elsewhere' | null => (run.runId === runningId ? 'here' : run.runId === elsewhereId ? 'elsewhere' : null);
  const finished = runs.filter((r) => r.finished && r.runId !== runningId);
  const pendingHere = pending && pending.runId !== elsewhereId ? pending : null;

  return (
    <div className="saved-runs" data-testid={`${task === 'lm' ? 'lm' : 'images'}-saved-runs`}>
      {pendingHere && (
        <div className="notice resume-notice" role="status" data-testid="resume-notice">
          <p>
            An unfinished run, <strong data-testid="resume-run-name">{pendingHere.name}</strong>, stopped at step {formatInteger(pendingHere.step)} of{' '}
            {formatInteger(pendingHere.totalSteps)} (saved {when(pendingHere.savedAt)}). Resume it with its own plan and settings?
          </p>
          <p className="muted">
            It needs the same model and dataset loaded: {describeRun(pendingHere)}.
            {!canResume && ' Load them first, then resume.'}
          </p>
          <div className="run-controls__buttons">
            <button
              type="button"
              className="button button--primary"
              data-testid="resume-run"
              disabled={!canResume || resuming !== null}
              title={canResume ? undefined : `Load ${describeRun(pendingHere)} first`}
              onClick={() => void resumeRun(handle, pendingHere)}
            >
              Resume
            </button>
            <button type="button" className="button" data-testid="discard-run" disabled={resuming !== null} onClick={() => void discardRun(handle.engine, pendingHere)}>
              Discard
            </button>
          </div>
        </div>
      )}
      {runs.length > 0 && (
        <details className="saved-runs__list">
          <summary>Saved runs ({runs.length})</summary>
          <ul>
            {runs.map((run) => {
              const training = trainingOf(run);
              return (
                <li key={run.runId} data-testid="saved-run" data-run-id={run.runId} data-finished={run.finished} data-training={training ?? 'no'}>
                  <span>
                    <span data-testid="saved-run-name">{run.name}</span> · <RunStatus run={run} training={training} /> ·{' '}
                    <span data-testid="saved-run-size">{formatBytes(run.bytes)}</span>
                  </span>{' '}
                  {!run.finished && !training && run.runId !== pendingHere?.runId && (
                    <button type="button" className="button button--small" data-testid="resume-saved-run" disabled={!canResume || resuming !== null} onClick={() => void resumeRun(handle, run)}>
                      Resume
                    </button>
                  )}{' '}
                  {!training && (
                    <button type="button" className="button button--small" data-testid="delete-run" disabled={resuming === run.runId} onClick={() => void deleteSavedRun(handle.engine, run.runId)}>
                      Delete
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
          {finished.length > 0 && (
            <button type="button" className="button button--small" data-testid="delete-finished-runs" onClick={() => void deleteFinishedRuns(handle.engine, finished)}>
              Delete {finished.length} finished run{finished.length === 1 ? '' : 's'}
            </button>
          )}
        </details>
      )}
    </div>
  );
}
