import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createEngine } from '../src/index.ts';
import { App } from './App.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { backendFromSearch } from './engine/backendChoice.ts';
import { connectBridge } from './engine/bridge.ts';
import { describeError } from './engine/describeError.ts';
import { EngineProvider, type EngineHandle } from './engine/EngineProvider.tsx';
import { createPageHold } from './engine/pageHold.ts';
import { runStartup } from './engine/startup.ts';
import { watchCheckpoints } from './features/checkpoints/checkpointActions.ts';
import { modeFromSearch, writeModeToUrl } from './features/studio/ModeTabs.tsx';
import { rememberMode } from './store/modeMemory.ts';
import { studioStore } from './store/studioStore.ts';
import './styles.css';

// A file dropped outside a drop zone would make the browser navigate away from the studio (and lose the run).
for (const type of ['dragover', 'drop'] as const) {
  window.addEventListener(type, (e) => {
    if (!(e.target instanceof Element && e.target.closest('.dropzone'))) e.preventDefault();
  });
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html must contain <div id="root">.');
const root = createRoot(container);

/** The engine lives outside React: exactly one Worker per page, whatever StrictMode replays. Null when it cannot start. */
function startEngine(): EngineHandle | null {
  try {
    const engine = createEngine();
    const bridge = connectBridge(engine, studioStore);
    const stopWatching = watchCheckpoints(engine);
    window.addEventListener('pagehide', (e) => {
      // A page kept in the back/forward cache keeps its engine; one being unloaded frees the Worker now.
      if (!e.persisted) {
        stopWatching();
        bridge.dispose();
        engine.dispose();
      }
    });
    return { engine, flushEvents: bridge.flush, held: createPageHold() };
  } catch (error) {
    const s = studioStore.getState();
    s.pushError(describeError('The engine could not start in this browser', error));
    s.setPhase('error');
    return null;
  }
}

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

// The mode tab is remembered across a reload and kept in the URL (`?mode=lm`, which wins); set before startup reads it.
rememberMode(studioStore, localStorageOrNull(), modeFromSearch(window.location.search), writeModeToUrl);

const handle = startEngine();
if (handle) {
  root.render(
    <StrictMode>
      <ErrorBoundary>
        <EngineProvider handle={handle}>
          <App />
        </EngineProvider>
      </ErrorBoundary>
    </StrictMode>,
  );
  void runStartup(handle, backendFromSearch(window.location.search));
} else {
  root.render(
    <StrictMode>
      <EngineUnavailable />
    </StrictMode>,
  );
}

function EngineUnavailable() {
  const error = studioStore.getState().notice.errors.at(-1);
  return (
    <main className="studio" data-testid="studio" data-ready="error">
      <div className="banner banner--error" role="alert" data-testid="error-banner">
        <div className="banner__text">
          <strong>{error?.title ?? 'The engine could not start'}</strong>
          <span>{error?.message ?? 'This browser cannot run Tabtune. Try a recent Chrome, Edge or Firefox.'}</span>
        </div>
      </div>
    </main>
  );
}
