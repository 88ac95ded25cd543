import { describe, expect, it } from 'vitest';
import type { BackendReport } from '../../../src/index.ts';
import { shortReason } from './BackendBadge.tsx';
import { slowBackendWarning } from './slowBackend.ts';

const software = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isSoftware: true };
const report = (name: BackendReport['name'], adapter: BackendReport['adapter']): BackendReport => ({ requested: 'auto', name, reason: '', adapter });

describe('slowBackendWarning', () => {
  it('warns before forcing WebGPU on a software adapter while WASM runs', () => {
    expect(slowBackendWarning('webgpu', report('wasm', software))).toMatch(/software adapter.*slower than on WASM/);
  });
  it('stays quiet for a real GPU, for other choices, and when WebGPU already runs', () => {
    expect(slowBackendWarning('webgpu', report('wasm', { ...software, isSoftware: false }))).toBeNull();
    expect(slowBackendWarning('wasm', report('webgpu', software))).toBeNull();
    expect(slowBackendWarning('webgpu', report('webgpu', software))).toBeNull();
    expect(slowBackendWarning('webgpu', null)).toBeNull();
  });
});

describe('shortReason', () => {
  it('keeps the first clause of a long reason, and a short one whole', () => {
    expect(shortReason('auto: the only adapter is x, a software renderer; WASM was measured fastest (npm run bench)')).toBe('auto: the only adapter is x, a software renderer.');
    expect(shortReason('forced by the user')).toBe('forced by the user');
  });
});
