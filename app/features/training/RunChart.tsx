import { useMemo } from 'react';
import type { TaskKind } from '../../../src/index.ts';
import { LossChart } from '../../components/LossChart.tsx';
import { formatLoss, formatPercent } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';
import { buildLossChartData } from './chartData.ts';
import { RUN_TEST_IDS } from './runTestIds.ts';

/**
 * Loss per step and the validation metrics of each evaluation, live, for any task: the accuracy axis
 * only when the evaluations have an accuracy. The data-* attributes let tests read the curve.
 */
export function RunChart({ task }: { task: TaskKind }) {
  const steps = useStudio((s) => s.runs[task].steps);
  const evals = useStudio((s) => s.runs[task].evals);
  const data = useMemo(() => buildLossChartData(steps, evals), [steps, evals]);
  const hasAccuracy = task === 'classifier' && data.validationAccuracy.some((v) => v !== null);
  const first = steps[0];
  const last = steps.at(-1);
  const lastEval = evals.at(-1);

  return (
    <figure className="chart">
      <div
        className="chart__plot"
        data-testid={RUN_TEST_IDS[task].chart}
        data-step-points={steps.length}
        data-first-step={steps[0]?.step ?? 0}
        data-eval-points={evals.length}
        data-epoch-points={evals.length}
        data-first-loss={first?.loss}
        data-last-loss={last?.loss}
        role="img"
        aria-label={
          last ? `Loss chart: training loss went from ${formatLoss(first?.loss)} to ${formatLoss(last.loss)} over ${steps.length} steps.` : 'Loss chart: no run yet.'
        }
      >
        <LossChart
          x={data.x}
          trainLoss={data.trainLoss}
          trainLossSmoothed={data.trainLossSmoothed}
          validationLoss={data.validationLoss}
          validationAccuracy={hasAccuracy ? data.validationAccuracy : undefined}
        />
        {steps.length === 0 && <p className="chart__empty">Press Train: the loss appears here, step by step.</p>}
      </div>
      <figcaption className="chart__readout">
        <span>
          train loss <strong>{formatLoss(last?.loss)}</strong>
        </span>
        <span>
          val. loss <strong>{formatLoss(lastEval?.validationLoss)}</strong>
        </span>
        {lastEval?.validationRmse !== undefined && (
          <span>
            val. RMSE <strong>{lastEval.validationRmse.toPrecision(4)}</strong>
          </span>
        )}
        {lastEval?.validationAccuracy !== undefined && (
          <span>
            val. accuracy <strong>{formatPercent(lastEval.validationAccuracy)}</strong>
          </span>
        )}
        <span>
          learning rate <strong>{last ? last.learningRate.toExponential(2) : '—'}</strong>
        </span>
      </figcaption>
    </figure>
  );
}
