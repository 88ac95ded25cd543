import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';

/** How long the plan and batch size must stay still before the engine is asked for new totals. */
export const PLAN_DEBOUNCE_MS = 200;

/**
 * Sends the current layer plan and batch size to the engine and stores its totals, or its sentence
 * when it rejects the plan. Only the newest call's answer is kept. Resolves true when the engine
 * accepted the plan (and will train with it); never rejects.
 */
export async function syncPlan({ engine }: Pick<EngineHandle, 'engine'>): Promise<boolean> {
  const s = studioStore.getState();
  if (!s.model.summary) return false;
  const ticket = s.nextTicket('plan');
  s.setPlanSyncing(true);
  try {
    const summary = await engine.setPlan(s.plan.layers, s.runs.classifier.config.batchSize);
    if (studioStore.getState().isLatestTicket('plan', ticket)) studioStore.getState().setPlanSummary(summary);
    return true;
  } catch (error) {
    if (studioStore.getState().isLatestTicket('plan', ticket)) {
      const { message, code } = describeError('The layer plan was rejected', error);
      // A run started meanwhile: the plan is sent again when it ends.
      if (code === 'busy') studioStore.getState().setPlanSyncing(false);
      else studioStore.getState().setPlanError(message);
    }
    return false;
  }
}
