import type { Evaluation, TaskKind } from '../../../src/index.ts';
import { Panel } from '../../components/Panel.tsx';
import { formatLoss, formatPercent } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';
import { LmEvaluation } from './LmEvaluation.tsx';
import { cellBackground, cellShade, matrixMax, rowTotals } from './confusion.ts';

/** Rows = true class, columns = predicted; the shade says how many images landed in each cell. */
function ConfusionMatrix({ evaluation }: { evaluation: Evaluation }) {
  const { classes, confusion } = evaluation;
  const max = matrixMax(confusion);
  const totals = rowTotals(confusion);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Confusion matrix">
      <table className="table table--compact confusion" data-testid="confusion-matrix">
        <caption className="confusion__caption">
          Validation images by true class (rows) and predicted class (columns); the diagonal is right.
        </caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">True class</span>
              <span aria-hidden="true">true ↓ / predicted →</span>
            </th>
            {classes.map((c) => (
              <th key={c} scope="col" className="num">
                {c}
              </th>
            ))}
            <th scope="col" className="num">
              Images
            </th>
          </tr>
        </thead>
        <tbody>
          {classes.map((t, i) => (
            <tr key={t}>
              <th scope="row">{t}</th>
              {classes.map((p, j) => {
                const count = confusion[i]?.[j] ?? 0;
                const shade = cellShade(count, max);
                return (
                  <td
                    key={p}
                    className={['num', 'confusion__cell', shade > 0.55 ? 'confusion__cell--strong' : ''].filter(Boolean).join(' ')}
                    style={{ background: cellBackground(shade, i === j) }}
                    data-testid="confusion-cell"
                    data-true={t}
                    data-pred={p}
                    data-count={count}
                    title={`${count} ${t} image${count === 1 ? '' : 's'} predicted as ${p}`}
                  >
                    {count}
                  </td>
                );
              })}
              <td className="num muted">{totals[i]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Accuracy per class, the fine-tuned run beside the baseline when there is one. */
function PerClassTable({ evaluation, baseline }: { evaluation: Evaluation; baseline: Evaluation | null }) {
  const totals = rowTotals(evaluation.confusion);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Accuracy per class">
      <table className="table table--compact">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col" className="num">
              Images
            </th>
            {baseline && (
              <th scope="col" className="num">
                Base model
              </th>
            )}
            <th scope="col" className="num">
              {baseline ? 'Fine-tuned' : 'Accuracy'}
            </th>
          </tr>
        </thead>
        <tbody>
          {evaluation.classes.map((c, i) => (
            <tr key={c} data-testid="class-accuracy-row" data-class={c} data-value={evaluation.perClassAccuracy[i]}>
              <th scope="row">{c}</th>
              <td className="num">{totals[i]}</td>
              {baseline && <td className="num">{formatPercent(baseline.perClassAccuracy[i])}</td>}
              <td className="num">{formatPercent(evaluation.perClassAccuracy[i])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Score({ label, evaluation, testId }: { label: string; evaluation: Evaluation; testId: string }) {
  const reg = evaluation.regression;
  if (reg) {
    return (
      <div className="score">
        <span className="score__label">{label}</span>
        <strong className="score__value" data-testid={testId} data-rmse={reg.rmse} data-r2={reg.r2}>
          RMSE {reg.rmse.toPrecision(4)}
        </strong>
        <span className="score__detail muted">
          MAE {reg.mae.toPrecision(4)} · R² {reg.r2.toFixed(3)} · {reg.count} rows
        </span>
      </div>
    );
  }
  return (
    <div className="score">
      <span className="score__label">{label}</span>
      <strong className="score__value" data-testid={testId} data-value={evaluation.accuracy}>
        {formatPercent(evaluation.accuracy)}
      </strong>
      <span className="score__detail muted">val. loss {formatLoss(evaluation.loss)}</span>
    </div>
  );
}

/** How the last run (or an imported one) does on the validation split: the task's own view of it, and the engine's word when it is stale. */
export function EvaluationPanel({ task }: { task: TaskKind }) {
  const stale = useStudio((s) => (s.session.trainedRun[task].stale ? s.session.trainedRun[task].reason : null));
  return (
    <Panel title="Evaluation" className={task === 'lm' ? 'panel--evaluation panel--lm-evaluation' : 'panel--evaluation'} testId={task === 'lm' ? 'lm-evaluation-panel' : 'evaluation-panel'}>
      {stale && (
        <p className="notice notice--info" data-testid={task === 'lm' ? 'lm-run-stale' : 'run-stale'}>
          {stale}
        </p>
      )}
      {task === 'lm' ? <LmEvaluation /> : <ClassifierEvaluation />}
    </Panel>
  );
}

function ClassifierEvaluation() {
  const result = useStudio((s) => s.runs.classifier.result);
  const imported = useStudio((s) => s.runs.classifier.imported);
  const evaluation = result?.evaluation ?? null;
  const baseline = result?.baseline ?? null;
  if (!evaluation) {
    return <p className="muted">After a run: accuracy on the validation split, class by class, and where the model confuses them (for regression: RMSE, MAE and R²).</p>;
  }
  return (
    <div className="evaluation">
      <div className="evaluation__scores" aria-label="Validation accuracy">
        {baseline && <Score label="Base model, new head only" evaluation={baseline} testId="baseline-accuracy" />}
        <Score label={baseline ? 'Fine-tuned (your plan)' : imported ? 'Imported run' : 'Your run'} evaluation={evaluation} testId="eval-accuracy" />
      </div>
      {result?.stoppedEarly && <p className="muted">Early stopping ended this run before its last epoch.</p>}
      {!evaluation.regression && (
        <div className="evaluation__tables">
          <PerClassTable evaluation={evaluation} baseline={baseline} />
          <ConfusionMatrix evaluation={evaluation} />
        </div>
      )}
    </div>
  );
}
