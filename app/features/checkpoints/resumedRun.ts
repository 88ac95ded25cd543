import type { ResumedRun, TaskKind, TrainConfig } from '../../../src/index.ts';
import type { EventPatch } from '../../engine/applyEngineEvents.ts';
import type { ConfigOf, TaskRun } from '../../store/runSlice.ts';
import type { StudioState } from '../../store/state.ts';

/**
 * The form's settings for a run's own config: the inverse of trainActions' runConfig, which leaves
 * out what is off (a constant schedule, no clipping, no early stopping). A resumed run does not
 * "continue from the last run": it carries itself on.
 */
export function formConfigOf<T extends TaskKind>(saved: TrainConfig, form: ConfigOf<T>): ConfigOf<T> {
  const { resumeFrom: _drop, ...rest } = saved;
  void _drop;
  return {
    ...form,
    ...rest,
    schedule: saved.schedule ?? { kind: 'constant' },
    clipNorm: saved.clipNorm ?? 0,
    earlyStopping: saved.earlyStopping ?? { patience: 0 },
    continueFromLastRun: false,
    checkpoint: saved.checkpoint ?? form.checkpoint,
  } as ConfigOf<T>;
}

/**
 * A run began (the engine's `runStarted` event). Its id is taken as answered, so the page never offers
 * the run it is training (or one it stopped itself) in the resume notice. A resumed run also puts back
 * what it was: its settings in the form, its plan in the table, its mode tab, and the chart up to the
 * checkpoint.
 */
export function applyRunStarted(
  state: Pick<StudioState, 'runs' | 'plan' | 'lm' | 'session' | 'checkpoints'>,
  task: TaskKind,
  runId: string | null,
  resumed: ResumedRun | null,
): EventPatch {
  const checkpoints = { ...state.checkpoints, runningId: runId, answered: runId && !state.checkpoints.answered.includes(runId) ? [...state.checkpoints.answered, runId] : state.checkpoints.answered };
  if (!resumed) return { checkpoints };
  const run = state.runs[task] as TaskRun;
  const runs = {
    ...state.runs,
    [task]: { ...run, config: formConfigOf(resumed.config, run.config), steps: resumed.steps, evals: resumed.evals, totalSteps: resumed.totalSteps, resumed: true },
  } as StudioState['runs'];
  const session = { ...state.session, mode: task === 'lm' ? ('lm' as const) : ('images' as const) };
  if (task === 'lm') return { checkpoints, runs, session, lm: { ...state.lm, plan: { ...state.lm.plan, modules: { ...resumed.plan } } } };
  return { checkpoints, runs, session, plan: { ...state.plan, layers: { ...resumed.plan } } };
}
