import { ProgressBar } from '../../components/ProgressBar.tsx';
import { formatDuration } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';
import { estimateRemainingMs, stepsDone } from './eta.ts';

/** The run's progress in steps, with time left (or time taken once it ended). */
export function RunProgress() {
  const runState = useStudio((s) => s.training.runState);
  const timing = useStudio((s) => s.training.timing);
  const totalSteps = useStudio((s) => s.training.totalSteps);
  const progress = useStudio((s) => s.training.progress);
  const startedAt = useStudio((s) => s.training.startedAt);
  const finishedAt = useStudio((s) => s.training.finishedAt);

  // Before the first step the engine is extracting features: show that task's own progress.
  const preparing = runState === 'preparing' && timing === null && progress !== null;
  const done = preparing ? progress.done : stepsDone(timing);
  const total = preparing ? progress.total : totalSteps;
  const label = preparing ? progress.label : startedAt === null ? 'No run yet' : `step ${done} of ${total}`;

  let eta: string;
  if (runState === 'paused') {
    // Nothing moves while paused: no estimate that would drift as the clock runs.
    const remaining = estimateRemainingMs(timing, totalSteps);
    eta = remaining === null ? 'Paused' : `Paused; ${formatDuration(remaining)} left when resumed`;
  } else if (runState === 'training' || runState === 'preparing' || runState === 'stopping') {
    const remaining = estimateRemainingMs(timing, totalSteps);
    eta = remaining === null ? 'ETA: estimating…' : `ETA: ${formatDuration(remaining)}`;
  } else if (startedAt !== null && finishedAt !== null) {
    const took = formatDuration(finishedAt - startedAt);
    eta = runState === 'done' ? `Finished in ${took}` : runState === 'stopped' ? `Stopped after ${took}` : `Failed after ${took}`;
  } else {
    eta = 'ETA: —';
  }
  const rate =
    timing && timing.lastElapsedMs > 0 && !preparing ? `${((timing.lastStepsDone / timing.lastElapsedMs) * 1000).toFixed(1)} steps/s` : null;

  return (
    <ProgressBar
      value={done}
      max={total}
      label={label}
      testId="progress-bar"
      detail={
        <span className="progress__detail">
          {rate && <span className="muted">{rate}</span>}
          <span data-testid="eta">{eta}</span>
        </span>
      }
    />
  );
}
