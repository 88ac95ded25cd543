import { useId, useState } from 'react';
import type { BackendChoice } from '../../../src/index.ts';
import { BACKEND_CHOICES, isBackendChoice } from '../../engine/backendChoice.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { selectIsTraining } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { changeBackend } from './changeBackend.ts';
import { slowBackendWarning } from './slowBackend.ts';

const LABELS: Record<BackendChoice, string> = {
  auto: 'Auto',
  webgpu: 'WebGPU',
  wasm: 'WASM',
  webgl: 'WebGL',
  cpu: 'CPU (slow)',
};

/** Forces a backend. Disabled while a run, an import or startup is using the current one. */
export function BackendSelect() {
  const id = useId();
  const handle = useEngine();
  const requested = useStudio((s) => s.backend.requested);
  const busy = useStudio(
    (s) =>
      selectIsTraining(s) ||
      s.backend.switching ||
      s.dataset.importing ||
      s.model.loading ||
      (s.session.phase !== 'ready' && s.session.phase !== 'error'),
  );
  const training = useStudio(selectIsTraining);
  const report = useStudio((s) => s.backend.report);
  // A choice measured much slower than the current backend waits for a confirmation.
  const [pending, setPending] = useState<{ choice: BackendChoice; warning: string } | null>(null);
  const choose = (choice: BackendChoice): void => {
    const warning = slowBackendWarning(choice, report);
    if (warning) setPending({ choice, warning });
    else {
      setPending(null);
      void changeBackend(handle, choice);
    }
  };
  return (
    <div className="backend-select">
      <label htmlFor={id}>Backend</label>
      <select
        id={id}
        value={pending?.choice ?? requested}
        disabled={busy}
        data-testid="backend-select"
        title={training ? 'Stop the run to change the backend' : undefined}
        onChange={(e) => {
          const choice = e.target.value;
          if (isBackendChoice(choice)) choose(choice);
        }}
      >
        {BACKEND_CHOICES.map((choice) => (
          <option key={choice} value={choice}>
            {LABELS[choice]}
          </option>
        ))}
      </select>
      {pending && (
        <div className="backend-warning" role="alert" data-testid="backend-slow-warning">
          <span>{pending.warning}</span>
          <button
            type="button"
            className="button button--small"
            data-testid="backend-slow-confirm"
            onClick={() => {
              setPending(null);
              void changeBackend(handle, pending.choice);
            }}
          >
            Switch to {LABELS[pending.choice]}
          </button>
          <button type="button" className="button button--small" data-testid="backend-slow-cancel" onClick={() => setPending(null)}>
            Keep {report ? report.name.toUpperCase() : 'the current one'}
          </button>
        </div>
      )}
    </div>
  );
}
