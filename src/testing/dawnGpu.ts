import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's chromium package ships SwiftShader's Vulkan driver here; Dawn runs WebGPU on it in Node. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Installs a real WebGPU implementation (Dawn, from the `webgpu` package) as navigator.gpu in Node,
 * so engine code runs on the true WebGPU path in unit tests. On a machine with a GPU, leave
 * VK_ICD_FILENAMES unset and Dawn uses the GPU's Vulkan driver instead.
 * Returns false when no Vulkan driver is there to run it.
 */
export async function installDawnGpu(): Promise<boolean> {
  if (!process.env.VK_ICD_FILENAMES) {
    if (!existsSync(SWIFTSHADER_ICD)) return false;
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // The Vulkan loader complains on every start without a runtime dir (CI shells have none).
  process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'tabtune-xdg-'));
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true, writable: true });
  return true;
}
