import { describe, expect, it } from 'vitest';
import { describeAdapter } from './adapterInfo.ts';
import { chooseBackend } from './chooseBackend.ts';

const swiftshader = describeAdapter({ info: { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)' } });
const nvidia = describeAdapter({ info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: '' } });

describe('describeAdapter', () => {
  it('recognises software adapters by name or by the fallback flag', () => {
    expect(swiftshader.isSoftware).toBe(true);
    expect(nvidia.isSoftware).toBe(false);
    expect(describeAdapter({ info: { vendor: 'x' }, isFallbackAdapter: true }).isSoftware).toBe(true);
    expect(describeAdapter({ info: { vendor: 'mesa', description: 'llvmpipe (LLVM 15)' } }).isSoftware).toBe(true);
  });
});

describe('chooseBackend', () => {
  it('auto uses WebGPU on a hardware adapter', () => {
    expect(chooseBackend('auto', true, nvidia)).toEqual({ name: 'webgpu', reason: expect.stringContaining('nvidia hopper') });
  });
  it('auto falls back to WASM on software adapters, no adapter or no WebGPU, and says why', () => {
    expect(chooseBackend('auto', true, swiftshader)).toEqual({ name: 'wasm', reason: expect.stringContaining('google swiftshader, a software renderer') });
    expect(chooseBackend('auto', true, null).reason).toContain('offered no adapter');
    expect(chooseBackend('auto', false, null).reason).toContain('no WebGPU');
  });
  it('a forced backend is honoured even on a software adapter', () => {
    expect(chooseBackend('webgpu', true, swiftshader)).toEqual({ name: 'webgpu', reason: 'forced by the user (webgpu).' });
    expect(chooseBackend('cpu', true, nvidia).name).toBe('cpu');
  });
});
