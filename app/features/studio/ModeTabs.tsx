import { useRef, type KeyboardEvent } from 'react';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import type { StudioMode } from '../../store/sessionSlice.ts';

export const MODES: readonly { mode: StudioMode; label: string }[] = [
  { mode: 'images', label: 'Images & tables' },
  { mode: 'lm', label: 'Language model' },
];

export const modePanelId = (mode: StudioMode): string => `mode-panel-${mode}`;
export const modeTabId = (mode: StudioMode): string => `mode-tab-${mode}`;

/** The studio's two halves as tabs (arrow keys, Home and End move between them, as the ARIA tabs pattern has it). */
export function ModeTabs() {
  const current = useStudio((s) => s.session.mode);
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const select = (mode: StudioMode, focus: boolean): void => {
    studioStore.getState().setMode(mode);
    if (focus) refs.current[mode]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>): void => {
    const i = MODES.findIndex((m) => m.mode === current);
    const next =
      e.key === 'ArrowRight' ? (i + 1) % MODES.length : e.key === 'ArrowLeft' ? (i - 1 + MODES.length) % MODES.length : e.key === 'Home' ? 0 : e.key === 'End' ? MODES.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    select(MODES[next]!.mode, true);
  };
  return (
    <div className="mode-tabs" role="tablist" aria-label="Studio mode">
      {MODES.map(({ mode, label }) => (
        <button
          key={mode}
          ref={(el) => {
            refs.current[mode] = el;
          }}
          type="button"
          role="tab"
          id={modeTabId(mode)}
          className="mode-tab"
          aria-selected={current === mode}
          aria-controls={modePanelId(mode)}
          tabIndex={current === mode ? 0 : -1}
          data-testid={`mode-${mode}`}
          onClick={() => select(mode, false)}
          onKeyDown={onKeyDown}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

/** `?mode=lm` in the page URL opens the language-model half. */
export function modeFromSearch(search: string): StudioMode | null {
  const v = new URLSearchParams(search).get('mode');
  return v === 'lm' || v === 'images' ? v : null;
}

/** Keeps the shown half in the URL (`?mode=lm`), so a reload or a shared link opens on it (store/modeMemory.ts calls it on every change). */
export function writeModeToUrl(mode: StudioMode): void {
  const url = new URL(window.location.href);
  if (mode === 'images') url.searchParams.delete('mode');
  else url.searchParams.set('mode', mode);
  window.history.replaceState(window.history.state, '', url);
}
