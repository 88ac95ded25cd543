import type { TaskKind } from '../../../src/index.ts';
import { isRunActive, selectHasDataset } from '../../store/selectors.ts';
import type { StudioState } from '../../store/state.ts';

export type FlowStepKey = 'model' | 'data' | 'plan' | 'train' | 'try' | 'export';
/** done: nothing left to do here; current: the next thing to do; ready: open now, optional; todo: waits on an earlier step. */
export type FlowStepState = 'done' | 'current' | 'ready' | 'todo';

export interface FlowStep {
  key: FlowStepKey;
  label: string;
  state: FlowStepState;
  /** One line: what is there, or what to do. */
  detail: string;
}

export const FLOW_LABELS: Record<FlowStepKey, string> = { model: 'Model', data: 'Data', plan: 'Plan', train: 'Train', try: 'Try it', export: 'Export' };

/** The id of the panel a step's link scrolls to. */
export const stepAnchor = (task: TaskKind, key: FlowStepKey): string => `${task}-step-${key}`;

interface Facts {
  model: string | null;
  data: string | null;
  /** The plan is valid and trains something (a classifier always trains its head). */
  plan: string | null;
  running: boolean;
  trained: boolean;
}

function factsOf(s: StudioState, task: TaskKind): Facts {
  const trained = s.session.trainedRun[task].present;
  const running = s.runs[task].busy || s.runs[task].starting || isRunActive(s.runs[task].runState);
  if (task === 'lm') {
    const planned = Object.keys(s.lm.plan.modules).length > 0 && s.lm.plan.error === null;
    return {
      model: s.lm.model.summary?.name ?? null,
      data: (s.lm.dataset.summary?.train ?? 0) > 0 ? `${s.lm.dataset.summary?.name}` : null,
      plan: planned ? 'chosen' : null,
      running,
      trained,
    };
  }
  return {
    model: s.model.summary?.name ?? null,
    data: selectHasDataset(s) ? (s.dataset.table?.name ?? s.dataset.summary?.name ?? 'loaded') : null,
    plan: s.model.summary && s.plan.error === null ? 'chosen' : null,
    running,
    trained,
  };
}

/**
 * The guided flow's six steps and their state. The first of model, data, plan and train that is not
 * done is the current one; once a run has finished, trying and exporting are open (try is current).
 */
export function flowSteps(s: StudioState, task: TaskKind): FlowStep[] {
  const f = factsOf(s, task);
  const setup: [FlowStepKey, boolean, string, string][] = [
    ['model', f.model !== null, f.model ?? '', 'Load a model'],
    ['data', f.data !== null, f.data ?? '', task === 'lm' ? 'Load text data' : 'Drop a dataset'],
    ['plan', f.plan !== null, 'What trains is set', 'Choose what trains'],
    ['train', f.trained && !f.running, 'A run finished', f.running ? 'Training…' : 'Press Train'],
  ];
  const steps: FlowStep[] = [];
  let current = false;
  for (const [key, done, doneText, todoText] of setup) {
    let state: FlowStepState;
    if (done) state = 'done';
    else if (!current) {
      state = 'current';
      current = true;
    } else state = 'todo';
    steps.push({ key, label: FLOW_LABELS[key], state, detail: state === 'done' ? doneText : todoText });
  }
  const open = f.trained && !f.running;
  steps.push({ key: 'try', label: FLOW_LABELS.try, state: open ? (current ? 'ready' : 'current') : 'todo', detail: open ? 'See what it learned' : 'After a run' });
  steps.push({ key: 'export', label: FLOW_LABELS.export, state: open ? 'ready' : 'todo', detail: open ? (task === 'lm' ? 'Download the adapter' : 'Download the weights') : 'After a run' });
  return steps;
}
