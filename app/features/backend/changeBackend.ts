import type { BackendChoice } from '../../../src/index.ts';
import { searchWithBackend } from '../../engine/backendChoice.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { runStartup } from '../../engine/startup.ts';
import { studioStore } from '../../store/studioStore.ts';

/** Keeps `?backend=` in the address bar in step with the select, so a reload keeps the choice. */
function rememberChoice(choice: BackendChoice): void {
  const url = new URL(window.location.href);
  url.search = searchWithBackend(url.search, choice);
  window.history.replaceState(window.history.state, '', url);
}

/** Switches the engine's backend. If startup had failed, it is retried on the new backend. */
export async function changeBackend(handle: EngineHandle, choice: BackendChoice): Promise<void> {
  const store = studioStore.getState();
  rememberChoice(choice);
  if (store.session.phase === 'error') {
    await runStartup(handle, choice);
    return;
  }
  const previous = store.backend.requested;
  store.setBackendRequested(choice);
  store.setBackendSwitching(true);
  try {
    studioStore.getState().setBackendReport(await handle.engine.setBackend(choice));
  } catch (error) {
    const s = studioStore.getState();
    s.pushError(describeError(`Could not switch to ${choice}`, error));
    s.setBackendRequested(previous);
    rememberChoice(previous);
  } finally {
    handle.flushEvents();
    studioStore.getState().setBackendSwitching(false);
  }
}
