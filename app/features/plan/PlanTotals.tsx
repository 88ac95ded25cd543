import { formatBytes, formatInteger, formatPercent } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';

/** What the plan costs: trainable parameters and the engine's memory estimate, or why it was rejected. */
export function PlanTotals() {
  const summary = useStudio((s) => s.plan.summary);
  const error = useStudio((s) => s.plan.error);
  const syncing = useStudio((s) => s.plan.syncing);

  return (
    <div className="plan-totals" aria-live="polite" aria-busy={syncing} data-syncing={syncing}>
      {error && (
        <p className="plan-error" role="alert" data-testid="plan-error">
          {error}
        </p>
      )}
      {summary ? (
        <dl className="facts" data-stale={error !== null}>
          <div>
            <dt>Trainable</dt>
            <dd>
              <span data-testid="plan-trainable" data-value={summary.trainableParams}>
                {formatInteger(summary.trainableParams)}
              </span>{' '}
              of {formatInteger(summary.totalParams)} (
              <span data-testid="plan-percent">
                {formatPercent(summary.totalParams > 0 ? summary.trainableParams / summary.totalParams : null, 2)}
              </span>
              )
            </dd>
          </div>
          <div>
            <dt>Memory at batch {formatInteger(summary.memory.batchSize)}</dt>
            <dd>
              <span data-testid="plan-memory-total" data-value={summary.memory.total}>
                {formatBytes(summary.memory.total)}
              </span>
              <span className="muted">
                {' '}
                = weights {formatBytes(summary.memory.weights)} + gradients {formatBytes(summary.memory.gradients)} + optimizer{' '}
                {formatBytes(summary.memory.optimizer)} + activations {formatBytes(summary.memory.activations)}
              </span>
            </dd>
          </div>
        </dl>
      ) : (
        !error && <p className="muted">Counting trainable parameters…</p>
      )}
    </div>
  );
}
