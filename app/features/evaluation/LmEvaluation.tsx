import { formatInteger, formatLoss } from '../../format.ts';
import { selectTaskRunning } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';

/** A language-model run's validation loss beside the base model's on the same rows (or an imported adapter's loss). */
export function LmEvaluation() {
  const result = useStudio((s) => s.runs.lm.result);
  const running = useStudio((s) => selectTaskRunning(s, 'lm'));
  const importedLoss = useStudio((s) => s.lm.importedLoss);
  if (importedLoss !== null) {
    return (
      <p data-testid="lm-imported-adapter" data-value={importedLoss}>
        Adapter imported: validation loss {formatLoss(importedLoss)}.
      </p>
    );
  }
  if (!result || running) return <p className="muted">After a run: the validation loss with the adapter beside the base model’s.</p>;
  const adapted = result.evals.at(-1)?.validationLoss ?? null;
  const base = result.baseValidationLoss;
  return (
    <div className="evaluation__scores lm-result" data-testid="lm-result" data-state={result.state}>
      <div className="score">
        <span className="score__label muted">Validation loss, adapted</span>
        <strong className="score__value" data-testid="lm-val-loss" data-value={adapted ?? ''}>
          {formatLoss(adapted)}
        </strong>
        <span className="score__detail muted">
          after {formatInteger(result.steps)} steps{result.stoppedEarly ? ' (stopped early)' : ''}; final train loss {formatLoss(result.finalLoss)}
        </span>
      </div>
      <div className="score">
        <span className="score__label muted">Validation loss, base model</span>
        <strong className="score__value" data-testid="lm-base-val-loss" data-value={base}>
          {formatLoss(base)}
        </strong>
        <span className="score__detail muted">
          {adapted !== null && Number.isFinite(base) ? `${adapted < base ? 'improved' : 'changed'} by ${formatLoss(Math.abs(base - adapted))}` : 'same rows, adapter off'}
        </span>
      </div>
    </div>
  );
}
