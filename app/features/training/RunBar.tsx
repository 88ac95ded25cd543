import { useEffect, useRef } from 'react';
import type { TaskKind } from '../../../src/index.ts';
import { InlineError } from '../notices/InlineError.tsx';
import { FlowSteps } from '../studio/FlowSteps.tsx';
import { RunControls } from './RunControls.tsx';
import { RunProgress } from './RunProgress.tsx';
import { RunSummaryLine } from './RunSummaryLine.tsx';

/**
 * The guided flow's bar, kept in view at the top of the window: the six steps with their state,
 * Train / Stop / Pause, what the run will do, its progress, and a failed run's reason. Its height is
 * published as --run-bar-height so links and focused fields scroll clear of it.
 */
export function RunBar({ task, configValid }: { task: TaskKind; configValid: boolean }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      // The hidden half's bar measures 0: only the shown one sets the offset.
      if (el.offsetHeight > 0) document.documentElement.style.setProperty('--run-bar-height', `${el.offsetHeight}px`);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return (
    <section ref={ref} className="run-bar" aria-label="Steps and run" data-testid={task === 'lm' ? 'lm-run-bar' : 'run-bar'}>
      <FlowSteps task={task} />
      <div className="run-bar__run">
        <RunControls task={task} configValid={configValid} />
        <RunSummaryLine task={task} />
        <div className="run-bar__progress">
          <RunProgress task={task} />
        </div>
      </div>
      <InlineError place={`${task}/train`} />
    </section>
  );
}
