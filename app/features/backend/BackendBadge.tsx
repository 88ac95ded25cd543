import { useStudio } from '../../store/studioStore.ts';
import { describeAdapter } from './describeAdapter.ts';

/** Which backend runs, on what, and why: always in view, because it explains the speed the user sees. */
export function BackendBadge() {
  const report = useStudio((s) => s.backend.report);
  const switching = useStudio((s) => s.backend.switching);
  return (
    <div className="backend-badge" aria-live="polite" aria-busy={switching}>
      <span className={`backend-badge__name backend-badge__name--${report?.name ?? 'pending'}`}>
        <span className="visually-hidden">Backend: </span>
        <span data-testid="backend-name">{report?.name ?? (switching ? 'starting…' : 'none')}</span>
        {report?.threads !== undefined && <span data-testid="backend-threads"> · {report.threads === 1 ? '1 thread' : `${report.threads} threads`}</span>}
      </span>
      <span className="backend-badge__details">
        <span className="backend-badge__adapter" data-testid="backend-adapter">
          {report ? describeAdapter(report.adapter) : 'checking for a GPU…'}
        </span>
        <span className="backend-badge__reason" data-testid="backend-reason">
          {report?.reason ?? 'Choosing the fastest backend for this browser.'}
        </span>
      </span>
    </div>
  );
}
