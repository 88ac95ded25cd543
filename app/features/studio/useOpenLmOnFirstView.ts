import { useEffect } from 'react';
import { useEngine } from '../../engine/EngineProvider.tsx';
import type { StudioMode } from '../../store/sessionSlice.ts';
import { useStudio } from '../../store/studioStore.ts';
import { openLmSample } from '../model/lmModelActions.ts';

/** The language-model half loads its built-in model and sample the first time it is shown (after startup). */
export function useOpenLmOnFirstView(mode: StudioMode): void {
  const handle = useEngine();
  const ready = useStudio((s) => s.session.phase === 'ready' || s.session.phase === 'error');
  const opened = useStudio((s) => s.lm.opened);
  useEffect(() => {
    if (mode === 'lm' && ready && !opened) void openLmSample(handle);
  }, [handle, mode, ready, opened]);
}
