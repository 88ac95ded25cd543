import { useMemo } from 'react';
import type { TaskKind } from '../../../src/index.ts';
import { formatBytes, formatDuration, formatInteger } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';
import { summarizeRun, type RunSummary } from '../studio/runSummary.ts';

/** "What this run will do", beside Train: the plan in words, the steps, the time it should take and the memory. */
export function RunSummaryLine({ task }: { task: TaskKind }) {
  const key = useStudio((s) => JSON.stringify(summarizeRun(s, task)));
  const summary = useMemo(() => JSON.parse(key) as RunSummary, [key]);
  const testId = task === 'lm' ? 'lm-run-summary' : 'run-summary';
  return (
    <p className="run-summary" data-testid={testId} data-steps={summary.steps ?? ''}>
      <span className="run-summary__plan">
        <span className="muted">This run trains </span>
        {summary.plan}
      </span>
      <span title={summary.stepsDetail ?? undefined}>
        {summary.steps === null ? 'steps: after the data loads' : `${formatInteger(summary.steps)} steps`}
        {summary.stepsDetail && <span className="muted"> ({summary.stepsDetail})</span>}
      </span>
      <span data-testid={`${testId}-time`}>
        {summary.estimatedMs === null ? (
          <span className="muted">time: measured in the first steps</span>
        ) : (
          <>about {formatDuration(summary.estimatedMs)} <span className="muted">(at the last run’s speed)</span></>
        )}
      </span>
      <span data-testid={`${testId}-memory`}>{summary.memoryBytes === null ? <span className="muted">memory: estimating…</span> : <>~{formatBytes(summary.memoryBytes)} memory</>}</span>
    </p>
  );
}
