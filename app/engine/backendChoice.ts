import type { BackendChoice } from '../../src/index.ts';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'webgl', 'cpu'];

export function isBackendChoice(value: string): value is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(value);
}

/** `?backend=auto|webgpu|wasm|webgl|cpu`; anything else (or nothing) means auto. */
export function backendFromSearch(search: string): BackendChoice {
  const value = new URLSearchParams(search).get('backend')?.trim().toLowerCase() ?? '';
  return isBackendChoice(value) ? value : 'auto';
}

/** The same URL with `?backend=` set, so a reload keeps the user's choice (other parameters are kept). */
export function searchWithBackend(search: string, choice: BackendChoice): string {
  const params = new URLSearchParams(search);
  if (choice === 'auto') params.delete('backend');
  else params.set('backend', choice);
  const next = params.toString();
  return next ? `?${next}` : '';
}
