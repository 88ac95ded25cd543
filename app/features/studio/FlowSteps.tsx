import { useMemo } from 'react';
import type { TaskKind } from '../../../src/index.ts';
import { useStudio } from '../../store/studioStore.ts';
import { flowSteps, stepAnchor, type FlowStep } from './flowSteps.ts';

const MARK: Record<string, string> = { done: '✓', current: '●', ready: '○', todo: '' };

/** The six steps of a fine-tune with their state, each a link to its panel: where you are and what is next, at a glance. */
export function FlowSteps({ task }: { task: TaskKind }) {
  // Selected as text: the steps change rarely, and an equal string re-renders nothing on each training event.
  const key = useStudio((s) => JSON.stringify(flowSteps(s, task)));
  const steps = useMemo(() => JSON.parse(key) as FlowStep[], [key]);
  return (
    <nav className="flow-steps" aria-label={task === 'lm' ? 'Language-model steps' : 'Steps'}>
      <ol>
        {steps.map((step, i) => (
          <li key={step.key} className={`flow-step flow-step--${step.state}`} data-testid={`${task}-flow-${step.key}`} data-state={step.state}>
            <a href={`#${stepAnchor(task, step.key)}`} aria-current={step.state === 'current' ? 'step' : undefined}>
              <span className="flow-step__number" aria-hidden="true">
                {MARK[step.state] || i + 1}
              </span>
              <span className="flow-step__text">
                <span className="flow-step__label">{step.label}</span>
                <span className="flow-step__detail">
                  <span className="visually-hidden">: </span>
                  {step.detail}
                </span>
              </span>
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}
