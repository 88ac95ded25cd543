import type { AdapterInfo } from '../api.ts';

/** The subset of GPUAdapter we read; typed loosely because browsers expose `info` at different versions. */
export interface AdapterLike {
  info?: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** Software WebGPU implementations: present, conformant, and far slower than WASM for matmul. */
const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i;

export function describeAdapter(adapter: AdapterLike): AdapterInfo {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const flagged = info.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  const isSoftware = flagged || SOFTWARE_NAMES.test(`${vendor} ${architecture} ${device} ${description}`);
  return { vendor, architecture, device, description, isSoftware };
}

/** "nvidia ampere", "google swiftshader", or the description when vendor and architecture are blank. */
export function adapterLabel(info: AdapterInfo): string {
  const parts = [info.vendor, info.architecture].filter((s) => s.length > 0);
  if (parts.length > 0) return parts.join(' ');
  return info.description || info.device || 'unnamed adapter';
}
