import { useId, useState } from 'react';
import { useStudio } from '../../store/studioStore.ts';
import { describeAdapter } from './describeAdapter.ts';

/** The reason's first clause ("auto: the only WebGPU adapter is …, a software renderer"): the rest is on demand. */
export function shortReason(reason: string): string {
  const first = reason.split(/[;(]/)[0]?.trim() ?? reason;
  return first.length < reason.trim().length ? `${first.replace(/[.,:]$/, '')}.` : first;
}

/**
 * Which backend runs, on what, and why in one line: always in view, because it explains the speed
 * the user sees. The whole reason (with its measured figures) opens on demand.
 */
export function BackendBadge() {
  const report = useStudio((s) => s.backend.report);
  const switching = useStudio((s) => s.backend.switching);
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  // Why WASM runs fewer threads than the machine has (a page served without COOP/COEP) is part of the reason.
  const reason = report ? [report.reason, report.threadsNote].filter(Boolean).join(' ') : 'Choosing the fastest backend for this browser.';
  const short = shortReason(reason);
  return (
    <div className="backend-badge" aria-live="polite" aria-busy={switching}>
      <span className={`backend-badge__name backend-badge__name--${report?.name ?? 'pending'}`}>
        <span className="visually-hidden">Backend: </span>
        <span data-testid="backend-name">{report?.name ?? (switching ? 'starting…' : 'none')}</span>
        {report?.threads !== undefined && <span data-testid="backend-threads" title={report.threadsNote}> · {report.threads === 1 ? '1 thread' : `${report.threads} threads`}</span>}
      </span>
      <span className="backend-badge__adapter" data-testid="backend-adapter">
        {report ? describeAdapter(report.adapter) : 'checking for a GPU…'}
      </span>
      <span className="backend-badge__reason" title={reason}>
        {short}
      </span>
      {short !== reason && (
        <button type="button" className="link-button" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen((o) => !o)} data-testid="backend-why">
          {open ? 'Less' : 'Why?'}
        </button>
      )}
      <div id={detailsId} className="backend-badge__more" hidden={!open || short === reason}>
        <span data-testid="backend-reason">{reason}</span>
      </div>
    </div>
  );
}
