import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's chromium package ships SwiftShader's Vulkan driver here; Dawn runs WebGPU on it in Node. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface DawnOptions {
  /**
   * With VK_ICD_FILENAMES unset: true (tests) pins SwiftShader, so results do not depend on the
   * machine; false (command line) lets the Vulkan loader pick the machine's own drivers (a GPU).
   */
  preferSwiftShader?: boolean;
}

/**
 * Installs a real WebGPU implementation (Dawn, from the `webgpu` package) as navigator.gpu in Node,
 * so engine code runs on the true WebGPU path. Set VK_ICD_FILENAMES to choose the Vulkan driver.
 * Returns false when no Vulkan driver is there to run it.
 */
export async function installDawnGpu({ preferSwiftShader = true }: DawnOptions = {}): Promise<boolean> {
  if (!process.env.VK_ICD_FILENAMES && preferSwiftShader) {
    if (!existsSync(SWIFTSHADER_ICD)) return false;
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // The Vulkan loader complains on every start without a runtime dir (CI shells have none).
  process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'tabtune-xdg-'));
  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch {
    return false;
  }
  Object.assign(globalThis, webgpu.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: webgpu.create([]) }, configurable: true, writable: true });
  return true;
}
