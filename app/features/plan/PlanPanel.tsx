import { Panel } from '../../components/Panel.tsx';
import { selectClassCount, selectIsTraining } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { TermsHelp } from '../help/TermsHelp.tsx';
import { LayerTable } from '../model/LayerTable.tsx';
import { stepAnchor } from '../studio/flowSteps.ts';
import { PlanPresets } from './PlanPresets.tsx';
import { PlanTotals } from './PlanTotals.tsx';
import { usePlanSync } from './usePlanSync.ts';

/** What trains: a preset, then per layer frozen / trained / LoRA, with the engine's live totals. Full width, so the table fits. */
export function PlanPanel() {
  const summary = useStudio((s) => s.model.summary);
  const classes = useStudio(selectClassCount);
  const training = useStudio(selectIsTraining);
  usePlanSync();
  return (
    <Panel title="Plan" id={stepAnchor('classifier', 'plan')} className="panel--plan" testId="plan-panel">
      {!summary ? (
        <p className="muted">Load a model to choose which layers train.</p>
      ) : (
        <>
          <PlanPresets layers={summary.layers} disabled={training} />
          <TermsHelp summary="What do frozen, train, LoRA, r, α, drop and rs mean?" terms={['frozen', 'full', 'lora', 'rank', 'alpha', 'dropout', 'rslora', 'head']} testId="plan-help" />
          <PlanTotals />
          <LayerTable layers={summary.layers} featureLayer={summary.featureLayer} featureSize={summary.featureSize} classes={classes} planDisabled={training} />
        </>
      )}
    </Panel>
  );
}
