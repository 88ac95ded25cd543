import { useMemo } from 'react';
import { LossChart } from '../../components/LossChart.tsx';
import { formatLoss, formatPercent } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';
import { buildLossChartData } from './chartData.ts';

/** Loss per step and validation metrics per epoch, live; the data-* attributes let tests read the curve. */
export function TrainingChart() {
  const steps = useStudio((s) => s.training.steps);
  const epochs = useStudio((s) => s.training.epochs);
  const data = useMemo(() => buildLossChartData(steps, epochs), [steps, epochs]);
  const first = steps[0];
  const last = steps.at(-1);
  const lastEpoch = epochs.at(-1);

  return (
    <figure className="chart">
      <div
        className="chart__plot"
        data-testid="loss-chart"
        data-step-points={steps.length}
        data-epoch-points={epochs.length}
        data-first-loss={first?.loss}
        data-last-loss={last?.loss}
        role="img"
        aria-label={
          last
            ? `Loss chart: training loss went from ${formatLoss(first?.loss)} to ${formatLoss(last.loss)} over ${steps.length} steps.`
            : 'Loss chart: no run yet.'
        }
      >
        <LossChart
          x={data.x}
          trainLoss={data.trainLoss}
          trainLossSmoothed={data.trainLossSmoothed}
          validationLoss={data.validationLoss}
          validationAccuracy={data.validationAccuracy}
        />
        {steps.length === 0 && <p className="chart__empty">Press Train: the loss appears here, step by step.</p>}
      </div>
      <figcaption className="chart__readout">
        <span>
          train loss <strong>{formatLoss(last?.loss)}</strong>
        </span>
        <span>
          val. loss <strong>{formatLoss(lastEpoch?.validationLoss)}</strong>
        </span>
        {lastEpoch?.validationRmse !== undefined ? (
          <span>
            val. RMSE <strong>{lastEpoch.validationRmse.toPrecision(4)}</strong>
          </span>
        ) : (
          <span>
            val. accuracy <strong>{formatPercent(lastEpoch?.validationAccuracy)}</strong>
          </span>
        )}
      </figcaption>
    </figure>
  );
}
