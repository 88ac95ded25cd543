import { createContext, useContext, type ReactNode } from 'react';
import type { SessionApi } from '../../src/index.ts';
import type { Bridge } from './bridge.ts';
import type { PageHold } from './pageHold.ts';

export interface EngineHandle {
  engine: SessionApi;
  /** Delivers buffered engine events to the store now. */
  flushEvents: Bridge['flush'];
  /** The page's Blobs and import chain (not snapshots, so not in the store). */
  held: PageHold;
}

const EngineContext = createContext<EngineHandle | null>(null);

/**
 * Holds the one engine of the page. It is created in main.tsx, outside React, so StrictMode's double
 * rendering and effect replays can never start a second Worker.
 */
export function EngineProvider({ handle, children }: { handle: EngineHandle; children: ReactNode }) {
  return <EngineContext value={handle}>{children}</EngineContext>;
}

export function useEngine(): EngineHandle {
  const handle = useContext(EngineContext);
  if (!handle) throw new Error('useEngine() needs an <EngineProvider> above it.');
  return handle;
}
