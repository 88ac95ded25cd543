import type { StudioMode } from './sessionSlice.ts';
import type { StudioStore } from './studioStore.ts';

const KEY = 'tabtune.mode';

/** The part of Web Storage this needs (localStorage in the page; a map in tests). */
export type ModeStorage = Pick<Storage, 'getItem' | 'setItem'>;

function read(storage: ModeStorage | null): StudioMode | null {
  try {
    const v = storage?.getItem(KEY);
    return v === 'lm' || v === 'images' ? v : null;
  } catch {
    return null; // storage refused (a privacy mode): the tab is simply not remembered
  }
}

/**
 * The mode tab survives a reload: the one asked for in the URL, else the one shown last, is opened;
 * every change (a click, or a resumed run opening its own tab) is written back, to storage and to
 * `onChange` (the page keeps it in the URL). Returns the unsubscribe.
 */
export function rememberMode(store: StudioStore, storage: ModeStorage | null, fromUrl: StudioMode | null, onChange?: (mode: StudioMode) => void): () => void {
  const start = fromUrl ?? read(storage);
  if (start && start !== store.getState().session.mode) store.getState().setMode(start);
  if (start && !fromUrl) onChange?.(start); // a tab restored from storage goes into the URL too
  return store.subscribe((s, prev) => {
    if (s.session.mode === prev.session.mode) return;
    onChange?.(s.session.mode);
    try {
      storage?.setItem(KEY, s.session.mode);
    } catch {
      // as above: not remembered, nothing else lost
    }
  });
}
