import { useId } from 'react';
import type { BackendChoice } from '../../../src/index.ts';
import { BACKEND_CHOICES, isBackendChoice } from '../../engine/backendChoice.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { selectIsTraining } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { changeBackend } from './changeBackend.ts';

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
  return (
    <div className="backend-select">
      <label htmlFor={id}>Backend</label>
      <select
        id={id}
        value={requested}
        disabled={busy}
        data-testid="backend-select"
        title={training ? 'Stop the run to change the backend' : undefined}
        onChange={(e) => {
          const choice = e.target.value;
          if (isBackendChoice(choice)) void changeBackend(handle, choice);
        }}
      >
        {BACKEND_CHOICES.map((choice) => (
          <option key={choice} value={choice}>
            {LABELS[choice]}
          </option>
        ))}
      </select>
    </div>
  );
}
