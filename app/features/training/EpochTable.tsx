import { formatLoss, formatPercent } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';

/** One row per finished epoch: the numbers behind the chart, readable by screen readers too. */
export function EpochTable() {
  const epochs = useStudio((s) => s.training.epochs);
  const regression = epochs.some((e) => e.validationRmse !== undefined);
  if (epochs.length === 0) return null;
  return (
    <div className="table-scroll table-scroll--short" tabIndex={0} role="region" aria-label="Epochs">
      <table className="table table--compact">
        <thead>
          <tr>
            <th scope="col">Epoch</th>
            <th scope="col" className="num">
              Train loss
            </th>
            <th scope="col" className="num">
              Val. loss
            </th>
            <th scope="col" className="num">
              {regression ? 'Val. RMSE' : 'Val. accuracy'}
            </th>
          </tr>
        </thead>
        <tbody>
          {epochs.map((e) => (
            <tr key={e.epoch} data-testid="epoch-row">
              <td>{e.epoch}</td>
              <td className="num">{formatLoss(e.trainLoss)}</td>
              <td className="num">{formatLoss(e.validationLoss)}</td>
              <td className="num">{e.validationRmse !== undefined ? e.validationRmse.toPrecision(4) : formatPercent(e.validationAccuracy)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
