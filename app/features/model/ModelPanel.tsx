import { Panel } from '../../components/Panel.tsx';
import { formatInteger, formatShape } from '../../format.ts';
import { selectClassCount, selectIsTraining } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { LayerTable } from './LayerTable.tsx';
import { ModelSource } from './ModelSource.tsx';
import { PlanPresets } from '../plan/PlanPresets.tsx';
import { PlanTotals } from '../plan/PlanTotals.tsx';
import { usePlanSync } from '../plan/usePlanSync.ts';

/** What is being fine-tuned: the base model, the plan for each of its layers, and the head that training adds. */
export function ModelPanel() {
  const summary = useStudio((s) => s.model.summary);
  const loading = useStudio((s) => s.model.loading);
  const classes = useStudio(selectClassCount);
  const training = useStudio(selectIsTraining);
  usePlanSync();

  return (
    <Panel title="Model" className="panel--model">
      <ModelSource />
      {!summary ? (
        <p className="muted">{loading ? 'Loading the built-in model…' : 'No model loaded.'}</p>
      ) : (
        <>
          <div data-testid="model-summary" className="model-summary">
            <h3 className="model-summary__name">{summary.name}</h3>
            {summary.description && <p className="model-summary__description">{summary.description}</p>}
            <dl className="facts">
              <div>
                <dt>Input</dt>
                <dd>{formatShape(summary.inputShape)}</dd>
              </div>
              <div>
                <dt>Parameters</dt>
                <dd>{formatInteger(summary.totalParams)}</dd>
              </div>
              <div>
                <dt>Features</dt>
                <dd>
                  {formatInteger(summary.featureSize)} from <code>{summary.featureLayer}</code>
                </dd>
              </div>
            </dl>
          </div>
          <PlanPresets layers={summary.layers} disabled={training} />
          <PlanTotals />
          <LayerTable
            layers={summary.layers}
            featureLayer={summary.featureLayer}
            featureSize={summary.featureSize}
            classes={classes}
            planDisabled={training}
          />
        </>
      )}
    </Panel>
  );
}
