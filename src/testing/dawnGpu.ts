/**
 * Real WebGPU in Node for unit tests: Dawn on SwiftShader's Vulkan driver from Debian's chromium
 * package (or, with VK_ICD_FILENAMES set, on the driver it names). The implementation is shared
 * with the command line in src/cli/dawnGpu.ts.
 */
import { installDawnGpu as install } from '../cli/dawnGpu.ts';

export { SWIFTSHADER_ICD } from '../cli/dawnGpu.ts';

/** Installs navigator.gpu (Dawn); false when no Vulkan driver is there to run it. */
export function installDawnGpu(): Promise<boolean> {
  return install({ preferSwiftShader: true });
}
