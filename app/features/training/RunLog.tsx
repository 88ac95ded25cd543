import type { TaskKind } from '../../../src/index.ts';
import { useStudio } from '../../store/studioStore.ts';
import { RUN_TEST_IDS } from './runTestIds.ts';

/** What the engine said about the run (newest last), beside the chart it explains. */
export function RunLog({ task }: { task: TaskKind }) {
  const logs = useStudio((s) => s.runs[task].logs);
  if (logs.length === 0) return null;
  return (
    <div className="run-log" role="status" aria-label="Run messages">
      {logs.slice(0, -1).map((message, i) => (
        <p key={i} className="run-log__earlier muted">
          {message}
        </p>
      ))}
      <p className="run-log__latest" data-testid={RUN_TEST_IDS[task].log}>
        {logs.at(-1)}
      </p>
    </div>
  );
}
