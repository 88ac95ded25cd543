import { Panel } from '../../components/Panel.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { selectLmBusy } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { tryValidationPairs } from './preferenceActions.ts';
import { RewardChart } from './RewardChart.tsx';

const gap = (chosen: number, rejected: number) => (Number.isFinite(chosen - rejected) ? (chosen - rejected).toFixed(2) : '—');

/**
 * The preference run, seen two ways: its rewards per step (chart), and the validation pairs tried
 * with the base and the adapter: their answers to each prompt, and the log-probability gap between
 * the chosen and the rejected answer under each (a positive gap prefers the chosen one).
 */
export function PreferenceTry() {
  const handle = useEngine();
  const objective = useStudio((s) => s.preference.objective);
  const summary = useStudio((s) => s.preference.summary);
  const scores = useStudio((s) => s.preference.scores);
  const rows = useStudio((s) => s.preference.tryRows);
  const trying = useStudio((s) => s.preference.trying);
  const busy = useStudio(selectLmBusy);
  if (objective !== 'preference') return null;
  return (
    <Panel title="Preferences" className="panel--wide" testId="preference-try">
      <RewardChart />
      <button type="button" className="button" disabled={busy || trying || !summary || summary.validation === 0} data-testid="pref-try" onClick={() => void tryValidationPairs(handle)}>
        {trying ? 'Trying…' : 'Try the validation pairs'}
      </button>
      {scores && (
        <table className="pref-preview" data-testid="pref-gaps">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">log p(chosen) − log p(rejected), base</th>
              <th scope="col">… with the adapter</th>
            </tr>
          </thead>
          <tbody>
            {scores.pairs.map((p) => (
              <tr key={p.line} data-testid="pref-gap" data-base-gap={p.ref_chosen_logps - p.ref_rejected_logps} data-adapted-gap={p.policy_chosen_logps - p.policy_rejected_logps}>
                <td>{p.line}</td>
                <td>{gap(p.ref_chosen_logps, p.ref_rejected_logps)}</td>
                <td>{gap(p.policy_chosen_logps, p.policy_rejected_logps)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > 0 && (
        <table className="pref-preview" data-testid="pref-answers">
          <thead>
            <tr>
              <th scope="col">Validation prompt</th>
              <th scope="col">Base</th>
              <th scope="col">Adapter</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} data-testid="pref-answer">
                <td className="pref-preview__prompt">{r.prompt}</td>
                <td>{r.base ?? '…'}</td>
                <td>{r.adapted ?? '…'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
