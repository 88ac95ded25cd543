import { useEffect } from 'react';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { selectClassCount, selectIsTraining } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { PLAN_DEBOUNCE_MS, syncPlan } from './planSync.ts';

/**
 * Keeps the engine's plan and the live totals in step with the table: after the plan, batch size,
 * model, dataset classes or backend change (debounced), and once when a model is loaded. Nothing is
 * sent during a run (the engine would refuse); the plan is sent again when it ends.
 */
export function usePlanSync(): void {
  const handle = useEngine();
  const layers = useStudio((s) => s.plan.layers);
  const batchSize = useStudio((s) => s.runs.classifier.config.batchSize);
  const model = useStudio((s) => s.model.summary);
  const classes = useStudio(selectClassCount);
  const backend = useStudio((s) => s.backend.report);
  const training = useStudio(selectIsTraining);

  useEffect(() => {
    if (!model || training) return;
    const timer = setTimeout(() => void syncPlan(handle), PLAN_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [handle, layers, batchSize, model, classes, backend, training]);
}
