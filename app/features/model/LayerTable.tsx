import type { LayerSummary } from '../../../src/index.ts';
import { formatInteger, formatShape } from '../../format.ts';
import { headParams } from './headParams.ts';
import { PlanCell } from '../plan/PlanCell.tsx';

interface LayerTableProps {
  layers: readonly LayerSummary[];
  featureLayer: string;
  featureSize: number;
  /** Classes of the current dataset (the new head's units), or 0 before one is imported. */
  classes: number;
  /** Plan controls are locked while a run uses the plan. */
  planDisabled: boolean;
}

/** The base layer by layer with what the next run does to each, then the new head that training creates. */
export function LayerTable({ layers, featureLayer, featureSize, classes, planDisabled }: LayerTableProps) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Model layers">
      <table className="table table--compact">
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">Type</th>
            <th scope="col">Output</th>
            <th scope="col" className="num">
              Params
            </th>
            <th scope="col">Plan</th>
          </tr>
        </thead>
        <tbody>
          {layers.map((layer) => (
            <tr key={layer.name} data-testid="model-layer-row" className={layer.name === featureLayer ? 'row--feature' : undefined}>
              <td>
                <code>{layer.name}</code>
                {layer.name === featureLayer && <span className="tag">features</span>}
              </td>
              <td>{layer.className}</td>
              <td>{formatShape(layer.outputShape)}</td>
              <td className="num">{formatInteger(layer.params)}</td>
              <td>
                <PlanCell layer={layer} disabled={planDisabled} />
              </td>
            </tr>
          ))}
          <tr data-testid="model-head-row" className="row--head">
            <td>
              <code>head</code>
            </td>
            <td>Dense, softmax</td>
            <td>{classes > 0 ? formatShape([classes]) : 'one per class'}</td>
            <td className="num">{classes > 0 ? formatInteger(headParams(featureSize, classes)) : '—'}</td>
            <td>new head, trained</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
