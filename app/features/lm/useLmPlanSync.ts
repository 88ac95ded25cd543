import { useEffect } from 'react';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { useStudio } from '../../store/studioStore.ts';
import { syncLmPlan } from './lmActions.ts';

/** How long the plan, batch size and row length must stay still before the engine is asked for totals. */
export const LM_PLAN_DEBOUNCE_MS = 150;

/** Keeps the engine's LM plan and the live totals in step with the table (debounced; never during a run). */
export function useLmPlanSync(): void {
  const handle = useEngine();
  const modules = useStudio((s) => s.lm.plan.modules);
  const batchSize = useStudio((s) => s.lm.run.config.batchSize);
  const maxLength = useStudio((s) => s.lm.dataset.options.maxLength);
  const model = useStudio((s) => s.lm.model.summary);
  const running = useStudio((s) => s.lm.run.busy);

  useEffect(() => {
    if (!model || running) return;
    const timer = setTimeout(() => void syncLmPlan(handle), LM_PLAN_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [handle, modules, batchSize, maxLength, model, running]);
}
