import { Panel } from '../../components/Panel.tsx';
import { formatInteger, formatShape } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';
import { stepAnchor } from '../studio/flowSteps.ts';
import { ModelSource } from './ModelSource.tsx';

/** The base model being fine-tuned: what it is, and where it came from (the plan for its layers has its own panel). */
export function ModelPanel() {
  const summary = useStudio((s) => s.model.summary);
  const loading = useStudio((s) => s.model.loading);

  return (
    <Panel title="Model" id={stepAnchor('classifier', 'model')} className="panel--model">
      {!summary ? (
        <p className="muted">{loading ? 'Loading the built-in model…' : 'No model loaded.'}</p>
      ) : (
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
      )}
      <ModelSource />
    </Panel>
  );
}
