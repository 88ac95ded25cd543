import { describe, expect, it } from 'vitest';
import { backendFromSearch, searchWithBackend } from './backendChoice.ts';

describe('backendFromSearch', () => {
  it('reads ?backend= and defaults to auto', () => {
    expect(backendFromSearch('')).toBe('auto');
    expect(backendFromSearch('?backend=wasm')).toBe('wasm');
    expect(backendFromSearch('?x=1&backend=WebGPU')).toBe('webgpu');
    expect(backendFromSearch('?backend=cuda')).toBe('auto');
  });
});

describe('searchWithBackend', () => {
  it('sets or removes the parameter and keeps the others', () => {
    expect(searchWithBackend('?x=1', 'cpu')).toBe('?x=1&backend=cpu');
    expect(searchWithBackend('?backend=cpu&x=1', 'auto')).toBe('?x=1');
    expect(searchWithBackend('?backend=cpu', 'auto')).toBe('');
  });
});
