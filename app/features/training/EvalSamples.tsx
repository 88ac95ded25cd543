import type { TaskKind } from '../../../src/index.ts';
import { formatLoss } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';

/** Generations of the sample prompts at each evaluation (tasks that make them: language models). */
export function EvalSamples({ task }: { task: TaskKind }) {
  const evals = useStudio((s) => s.runs[task].evals);
  const withSamples = evals.filter((e) => (e.samples?.length ?? 0) > 0);
  if (withSamples.length === 0) return null;
  return (
    <div className="lm-samples" aria-label="Sample generations at each evaluation">
      <h3>Samples at each evaluation</h3>
      {[...withSamples].reverse().map((e) => (
        <details key={e.step} className="lm-samples__eval" open={e === withSamples.at(-1)}>
          <summary>
            step {e.step} · val. loss {formatLoss(e.validationLoss)}
          </summary>
          <ul>
            {e.samples?.map((s, i) => (
              <li key={i} data-testid="lm-sample" data-step={e.step}>
                <span className="lm-samples__prompt">{s.prompt}</span>
                <span className="lm-samples__text">{s.text}</span>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}
