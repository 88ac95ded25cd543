import type { TaskKind } from '../../../src/index.ts';
import { formatLoss, formatPercent } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';
import { RUN_TEST_IDS } from './runTestIds.ts';

/** One row per evaluation (an epoch's end, or every N steps), newest first: the numbers behind the chart, readable by screen readers too. */
export function EvalTable({ task }: { task: TaskKind }) {
  const evals = useStudio((s) => s.runs[task].evals);
  if (evals.length === 0) return null;
  const byEpoch = evals.some((e) => e.epoch !== undefined);
  const hasTrainLoss = evals.some((e) => e.trainLoss !== undefined);
  const metric = evals.some((e) => e.validationRmse !== undefined) ? 'rmse' : evals.some((e) => e.validationAccuracy !== undefined) ? 'accuracy' : null;
  return (
    <div className="table-scroll table-scroll--short" tabIndex={0} role="region" aria-label="Evaluations">
      <table className="table table--compact">
        <thead>
          <tr>
            <th scope="col">{byEpoch ? 'Epoch' : 'Step'}</th>
            {hasTrainLoss && (
              <th scope="col" className="num">
                Train loss
              </th>
            )}
            <th scope="col" className="num">
              Val. loss
            </th>
            {metric && (
              <th scope="col" className="num">
                {metric === 'rmse' ? 'Val. RMSE' : 'Val. accuracy'}
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {/* Newest first: the row that matters is the latest. */}
          {[...evals].reverse().map((e) => (
            <tr key={e.step} data-testid={RUN_TEST_IDS[task].evalRow} data-step={e.step}>
              <td>{byEpoch ? e.epoch : e.step}</td>
              {hasTrainLoss && <td className="num">{formatLoss(e.trainLoss)}</td>}
              <td className="num">{formatLoss(e.validationLoss)}</td>
              {metric && <td className="num">{metric === 'rmse' ? (e.validationRmse?.toPrecision(4) ?? '—') : formatPercent(e.validationAccuracy)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
