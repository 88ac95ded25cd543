import type { SavedRun, TaskKind } from '../../../src/index.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { formatBytes, formatInteger } from '../../format.ts';
import { pendingResume, taskOf } from '../../store/checkpointSlice.ts';
import { useStudio } from '../../store/studioStore.ts';
import { deleteSavedRun, discardRun, resumeRun } from './checkpointActions.ts';

function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function describeRun(run: SavedRun): string {
  return `${run.modelName} on ${run.datasetName}`;
}

/**
 * On startup: "An unfinished run ... can be resumed" with Resume and Discard; then the saved runs
 * of this task with their size and Delete. `canResume`: a model and dataset are loaded
 * and nothing runs (the engine still checks they are the run's own).
 */
export function SavedRuns({ task, canResume }: { task: TaskKind; canResume: boolean }) {
  const handle = useEngine();
  const pending = useStudio((s) => pendingResume(s.checkpoints, task));
  const allRuns = useStudio((s) => s.checkpoints.runs);
  const resuming = useStudio((s) => s.checkpoints.resuming);
  const runs = allRuns.filter((r) => taskOf(r) === task);

  return (
    <div className="saved-runs" data-testid={`${task === 'lm' ? 'lm' : 'images'}-saved-runs`}>
      {pending && (
        <div className="notice resume-notice" role="status" data-testid="resume-notice">
          <p>
            An unfinished run from {when(pending.startedAt)} (step {formatInteger(pending.step)} of {formatInteger(pending.totalSteps)}) can be resumed.
          </p>
          <p className="muted">
            It needs the same model and dataset loaded: {describeRun(pending)}.
            {!canResume && ' Load them first, then resume.'}
          </p>
          <div className="run-controls__buttons">
            <button
              type="button"
              className="button button--primary"
              data-testid="resume-run"
              disabled={!canResume || resuming !== null}
              title={canResume ? undefined : `Load ${describeRun(pending)} first`}
              onClick={() => void resumeRun(handle, pending)}
            >
              Resume
            </button>
            <button type="button" className="button" data-testid="discard-run" disabled={resuming !== null} onClick={() => void discardRun(handle.engine, pending)}>
              Discard
            </button>
          </div>
        </div>
      )}
      {runs.length > 0 && (
        <details className="saved-runs__list">
          <summary>Saved runs ({runs.length})</summary>
          <ul>
            {runs.map((run) => (
              <li key={run.runId} data-testid="saved-run" data-run-id={run.runId}>
                <span>
                  {when(run.savedAt)} · {describeRun(run)} · step {formatInteger(run.step)} of {formatInteger(run.totalSteps)}
                  {run.finished ? ' · finished' : ''} · <span data-testid="saved-run-size">{formatBytes(run.bytes)}</span>
                </span>{' '}
                {!run.finished && run.runId !== pending?.runId && (
                  <button type="button" className="button button--small" data-testid="resume-saved-run" disabled={!canResume || resuming !== null} onClick={() => void resumeRun(handle, run)}>
                    Resume
                  </button>
                )}{' '}
                <button type="button" className="button button--small" data-testid="delete-run" disabled={resuming === run.runId} onClick={() => void deleteSavedRun(handle.engine, run.runId)}>
                  Delete
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
