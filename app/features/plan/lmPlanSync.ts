import type { TrainPlan } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore, type StudioState } from '../../store/studioStore.ts';

/** How long the plan, batch size and row length must stay still before the engine is asked for totals. */
export const LM_PLAN_DEBOUNCE_MS = 150;

/** What the memory estimate depends on besides the plan: a preference run's rows are pairs (2 sequences each), of its own length. */
export interface LmPlanShape {
  batchSize: number;
  maxLength: number;
  pairs: boolean;
}

export function lmPlanShape(s: StudioState): LmPlanShape {
  const pairs = s.preference.objective === 'preference';
  return { batchSize: s.runs.lm.config.batchSize, maxLength: pairs ? s.preference.options.maxLength : s.lm.dataset.options.maxLength, pairs };
}

/**
 * What the engine holds (plan, batch size, row length, pairs or not), so an unchanged plan is not sent again:
 * lmSetPlan is only called when something really changed (it could replace an imported adapter).
 */
export function planKey(plan: TrainPlan, shape: LmPlanShape): string {
  const entries = Object.entries(plan).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([entries, shape.batchSize, shape.maxLength, shape.pairs]);
}

/** Sends the LM plan (with batch size and row length) and stores the totals. Resolves true when accepted; never rejects. */
export async function syncLmPlan({ engine }: Pick<EngineHandle, 'engine'>): Promise<boolean> {
  const s = studioStore.getState();
  if (!s.lm.model.summary) return false;
  const ticket = s.nextTicket('lmPlan');
  const shape = lmPlanShape(s);
  const key = planKey(s.lm.plan.modules, shape);
  if (key === s.lm.plan.engineKey) {
    s.setLmPlanSyncing(false);
    return true;
  }
  s.setLmPlanSyncing(true);
  try {
    const summary = await engine.lmSetPlan(s.lm.plan.modules, shape.batchSize, shape.maxLength, undefined, shape.pairs);
    if (studioStore.getState().isLatestTicket('lmPlan', ticket)) studioStore.getState().setLmPlanSummary(summary, key);
    return true;
  } catch (error) {
    if (studioStore.getState().isLatestTicket('lmPlan', ticket)) {
      const { message, code } = describeError('The plan was rejected', error);
      if (code === 'busy') studioStore.getState().setLmPlanSyncing(false);
      else studioStore.getState().setLmPlanError(message);
    }
    return false;
  }
}
