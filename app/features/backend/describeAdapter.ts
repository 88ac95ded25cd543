import type { AdapterInfo } from '../../../src/index.ts';

/** "NVIDIA, hopper" / "Google, swiftshader (software)" / "no WebGPU adapter". */
export function describeAdapter(adapter: AdapterInfo | null): string {
  if (!adapter) return 'no WebGPU adapter';
  const parts = [adapter.vendor, adapter.architecture].map((p) => p.trim()).filter(Boolean);
  const name = parts.length > 0 ? parts.join(', ') : adapter.description.trim() || adapter.device.trim() || 'unnamed adapter';
  return adapter.isSoftware ? `${name} (software)` : name;
}
