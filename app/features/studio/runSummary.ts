import type { TaskKind, TrainPlan } from '../../../src/index.ts';
import type { StudioState } from '../../store/state.ts';

/** What the next run will do, in words and numbers, for the summary beside Train. */
export interface RunSummary {
  /** The plan in words: "LoRA r=8 on 21 projections", "the new head only (base frozen)". */
  plan: string;
  /** Optimizer steps the run will take (null until the data is known). */
  steps: number | null;
  /** How the steps come about: "30 epochs × 6 batches of 16", "300 steps × 4 rows". */
  stepsDetail: string | null;
  /** The engine's memory estimate for the plan at this batch size (null until it answered). */
  memoryBytes: number | null;
  /** steps × the last run's measured time per step in this tab (null before any run of the task). */
  estimatedMs: number | null;
}

/** "LoRA r=8 on 21 projections and 3 trained in full": the plan's modules counted by mode and rank. */
export function describePlanModules(plan: TrainPlan, unit: [string, string]): { lora: number; full: number; words: string } {
  const ranks = new Set<number>();
  let lora = 0;
  let full = 0;
  for (const m of Object.values(plan)) {
    if (m.kind === 'lora') {
      lora++;
      ranks.add(m.r);
    } else if (m.kind === 'full') full++;
  }
  const count = (n: number): string => `${n} ${n === 1 ? unit[0] : unit[1]}`;
  const r = [...ranks].sort((a, b) => a - b);
  const rank = r.length === 1 ? `r=${r[0]}` : `r=${r[0]}–${r.at(-1)}`;
  const parts: string[] = [];
  if (lora > 0) parts.push(`LoRA ${rank} on ${count(lora)}`);
  if (full > 0) parts.push(`${count(full)} trained in full`);
  return { lora, full, words: parts.join(' and ') };
}

/** What trains in a classifier run: the new head always, and whatever the plan adds. */
export function classifierPlanWords(plan: TrainPlan): string {
  const { words } = describePlanModules(plan, ['layer', 'layers']);
  return words === '' ? 'the new head only (base frozen)' : `${words}, plus the new head`;
}

export function lmPlanWords(plan: TrainPlan): string {
  const { words } = describePlanModules(plan, ['projection', 'projections']);
  return words === '' ? 'nothing yet: choose a plan' : words;
}

/** Training rows of the loaded classifier dataset (images or table rows). */
function classifierTrainRows(s: StudioState): number | null {
  if (s.dataset.table) return s.dataset.table.train;
  if (s.dataset.summary) return s.dataset.summary.classes.reduce((n, c) => n + c.train, 0);
  return null;
}

function measuredMsPerStep(s: StudioState, task: TaskKind): number | null {
  const t = s.runs[task].timing;
  if (!t || t.lastStepsDone <= t.firstStepsDone) return null;
  return (t.lastElapsedMs - t.firstElapsedMs) / (t.lastStepsDone - t.firstStepsDone);
}

export function summarizeRun(s: StudioState, task: TaskKind): RunSummary {
  const perStep = measuredMsPerStep(s, task);
  if (task === 'lm') {
    const c = s.runs.lm.config;
    const steps = c.steps;
    return {
      plan: lmPlanWords(s.lm.plan.modules),
      steps,
      stepsDetail: `${steps} steps × ${c.batchSize * c.gradAccumulation} rows of up to ${s.lm.dataset.options.maxLength} tokens`,
      memoryBytes: s.lm.plan.summary?.memoryBytes ?? null,
      estimatedMs: perStep === null ? null : perStep * steps,
    };
  }
  const c = s.runs.classifier.config;
  const rows = classifierTrainRows(s);
  const batches = rows === null ? null : Math.ceil(rows / Math.max(1, c.batchSize));
  const steps = batches === null ? null : batches * c.epochs;
  return {
    plan: classifierPlanWords(s.plan.layers),
    steps,
    stepsDetail: batches === null ? null : `${c.epochs} epochs × ${batches} batches of ${c.batchSize}`,
    memoryBytes: s.plan.summary?.memory.total ?? null,
    estimatedMs: perStep === null || steps === null ? null : perStep * steps,
  };
}
