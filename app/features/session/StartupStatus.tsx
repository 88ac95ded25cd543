import { ProgressBar } from '../../components/ProgressBar.tsx';
import type { StartupPhase } from '../../store/sessionSlice.ts';
import { useStudio } from '../../store/studioStore.ts';

const PHASE_TEXT: Record<StartupPhase, string> = {
  starting: 'Starting the engine…',
  backend: 'Starting the compute backend…',
  model: 'Loading the built-in model…',
  dataset: 'Loading the sample dataset…',
  ready: '',
  error: '',
};

/** Startup and import progress: the model download, sample images, decoding a dropped folder. */
export function StartupStatus() {
  const phase = useStudio((s) => s.session.phase);
  const activity = useStudio((s) => s.session.progress);
  if (!activity && (phase === 'ready' || phase === 'error')) return null;
  return (
    <div className="startup" role="status" aria-live="polite">
      {activity ? (
        <ProgressBar value={activity.done} max={activity.total} label={activity.label} />
      ) : (
        <p className="muted">{PHASE_TEXT[phase]}</p>
      )}
    </div>
  );
}
