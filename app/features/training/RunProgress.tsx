import type { TaskKind } from '../../../src/index.ts';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { formatDuration, formatInteger } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';
import { estimateRemainingMs, stepsDone } from './eta.ts';
import { RUN_TEST_IDS } from './runTestIds.ts';

/** The run's progress in steps, with its speed and time left (or time taken once it ended): one ETA for every task. */
export function RunProgress({ task }: { task: TaskKind }) {
  const ids = RUN_TEST_IDS[task];
  const runState = useStudio((s) => s.runs[task].runState);
  const timing = useStudio((s) => s.runs[task].timing);
  const totalSteps = useStudio((s) => s.runs[task].totalSteps);
  const preparingProgress = useStudio((s) => s.runs[task].preparing);
  const startedAt = useStudio((s) => s.runs[task].startedAt);
  const finishedAt = useStudio((s) => s.runs[task].finishedAt);
  const tokensPerSecond = useStudio((s) => s.runs[task].steps.at(-1)?.tokensPerSecond);

  // Before the first step the engine may be extracting features: show that work's own progress.
  const preparing = runState === 'preparing' && timing === null && preparingProgress !== null;
  const done = preparing ? preparingProgress.done : stepsDone(timing);
  const total = preparing ? preparingProgress.total : totalSteps;
  const label = preparing ? preparingProgress.label : startedAt === null ? 'No run yet' : `step ${formatInteger(done)} of ${formatInteger(total)}`;

  let eta: string;
  const remaining = estimateRemainingMs(timing, totalSteps);
  if (runState === 'paused') {
    // Nothing moves while paused: no estimate that would drift as the clock runs.
    eta = remaining === null ? 'Paused' : `Paused; ${formatDuration(remaining)} left when resumed`;
  } else if (runState === 'training' || runState === 'preparing' || runState === 'stopping') {
    eta = remaining === null ? 'ETA: estimating…' : `ETA: ${formatDuration(remaining)}`;
  } else if (startedAt !== null && finishedAt !== null) {
    const took = formatDuration(finishedAt - startedAt);
    eta = runState === 'done' ? `Finished in ${took}` : runState === 'stopped' ? `Stopped after ${took}` : `Failed after ${took}`;
  } else {
    eta = 'ETA: —';
  }
  // Tokens per second where the engine counts them (language models), else steps per second.
  const speed =
    tokensPerSecond !== undefined
      ? `${formatInteger(tokensPerSecond)} tokens/s`
      : timing && timing.lastElapsedMs > 0 && !preparing
        ? `${((timing.lastStepsDone / timing.lastElapsedMs) * 1000).toFixed(1)} steps/s`
        : null;

  return (
    <ProgressBar
      value={done}
      max={total}
      label={label}
      testId={ids.progress}
      detail={
        <span className="progress__detail">
          {speed && (
            <span className="muted" data-testid={ids.speed} data-value={tokensPerSecond ?? ''}>
              {speed}
            </span>
          )}
          <span data-testid={ids.eta}>{eta}</span>
        </span>
      }
    />
  );
}
