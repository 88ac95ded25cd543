import { describe, expect, it } from 'vitest';
import { rememberMode, type ModeStorage } from './modeMemory.ts';
import { createStudioStore } from './studioStore.ts';

function memory(initial: Record<string, string> = {}): ModeStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) };
}

describe('rememberMode', () => {
  it('opens the tab shown last, and writes every change back', () => {
    const store = createStudioStore();
    const storage = memory({ 'tabtune.mode': 'lm' });
    const told: string[] = [];
    const stop = rememberMode(store, storage, null, (mode) => told.push(mode));
    expect(store.getState().session.mode).toBe('lm');
    store.getState().setMode('images');
    expect(storage.data['tabtune.mode']).toBe('images');
    expect(told).toEqual(['lm', 'images']); // the restored tab goes into the URL too
    stop();
  });

  it('lets the URL win, ignores junk, and survives a storage that throws', () => {
    const store = createStudioStore();
    rememberMode(store, memory({ 'tabtune.mode': 'lm' }), 'images');
    expect(store.getState().session.mode).toBe('images');
    const junk = createStudioStore();
    rememberMode(junk, memory({ 'tabtune.mode': '<script>' }), null);
    expect(junk.getState().session.mode).toBe('images');
    const broken = createStudioStore();
    const throwing: ModeStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    rememberMode(broken, throwing, null);
    broken.getState().setMode('lm');
    expect(broken.getState().session.mode).toBe('lm');
  });
});
