import { useEffect } from 'react';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { useStudio } from '../../store/studioStore.ts';
import { selectAnyRunning } from '../../store/selectors.ts';
import { lmPlanShape, LM_PLAN_DEBOUNCE_MS, syncLmPlan } from './lmPlanSync.ts';

/** Keeps the engine's LM plan and the live totals in step with the table (debounced; never during a run). */
export function useLmPlanSync(): void {
  const handle = useEngine();
  const modules = useStudio((s) => s.lm.plan.modules);
  const batchSize = useStudio((s) => s.runs.lm.config.batchSize);
  // A preference run's estimate is of pairs at the preference data's length.
  const maxLength = useStudio((s) => lmPlanShape(s).maxLength);
  const pairs = useStudio((s) => s.preference.objective === 'preference');
  const model = useStudio((s) => s.lm.model.summary);
  const running = useStudio(selectAnyRunning);

  useEffect(() => {
    if (!model || running) return;
    const timer = setTimeout(() => void syncLmPlan(handle), LM_PLAN_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [handle, modules, batchSize, maxLength, pairs, model, running]);
}
