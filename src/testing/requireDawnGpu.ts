/**
 * The gate of every *.webgpu.test.ts suite: call `await requireDawnGpu()` in its beforeAll. Where
 * Dawn cannot give a WebGPU adapter the suite FAILS (a skipped suite reads as a pass in CI) with one
 * sentence saying what is missing and which Debian packages bring it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { installDawnGpu, SWIFTSHADER_ICD } from './dawnGpu.ts';

const INSTALL = 'apt-get install chromium libvulkan1';

/** What the machine has for Dawn's Vulkan path; each field is probed separately so the message can name it. */
export interface DawnGpuProbe {
  /** The dynamic linker knows libvulkan.so.1 (Debian: libvulkan1). */
  vulkanLoader: boolean;
  /** The Vulkan driver manifests Dawn will load: VK_ICD_FILENAMES when set, else Chromium's SwiftShader. */
  icdPaths: string[];
  /** Those of icdPaths that do not exist. */
  missingIcds: string[];
  /** From the VK_ICD_FILENAMES environment variable rather than the SwiftShader default. */
  icdFromEnv: boolean;
}

/** The sentence a WebGPU suite fails with, or null when loader and driver are there. */
export function dawnGpuProblem(probe: DawnGpuProbe): string | null {
  const missing: string[] = [];
  if (!probe.vulkanLoader) missing.push('libvulkan.so.1');
  missing.push(...probe.missingIcds);
  if (missing.length === 0) return null;
  const icdHint = probe.icdFromEnv && probe.missingIcds.length > 0 ? '; VK_ICD_FILENAMES names a driver manifest that does not exist: fix or unset it' : '';
  return `WebGPU tests need Dawn's Vulkan loader and SwiftShader driver: ${INSTALL} (missing: ${missing.join(', ')})${icdHint}.`;
}

/** The sentence for a machine whose loader and driver are there but Dawn still found no adapter. */
export function noAdapterProblem(probe: DawnGpuProbe): string {
  return `WebGPU tests found libvulkan.so.1 and ${probe.icdPaths.join(', ')}, but Dawn offered no adapter: run with VK_LOADER_DEBUG=error,warn to see why the driver did not load.`;
}

function hasVulkanLoader(): boolean {
  try {
    const cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/sbin:/usr/sbin` } });
    return /\blibvulkan\.so\.1\b/.test(cache);
  } catch {
    // No ldconfig (not glibc, or not on PATH): look where Debian and most distributions put it.
    const dirs = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib'];
    return dirs.some((d) => existsSync(`${d}/libvulkan.so.1`));
  }
}

/** Probes this machine (VK_ICD_FILENAMES is a colon-separated list, as the Vulkan loader reads it). */
export function probeDawnGpu(): DawnGpuProbe {
  const fromEnv = process.env.VK_ICD_FILENAMES;
  const icdFromEnv = !!fromEnv && fromEnv !== SWIFTSHADER_ICD;
  const icdPaths = fromEnv ? fromEnv.split(':').filter((p) => p.length > 0) : [SWIFTSHADER_ICD];
  return { vulkanLoader: hasVulkanLoader(), icdPaths, missingIcds: icdPaths.filter((p) => !existsSync(p)), icdFromEnv };
}

/**
 * Installs Dawn as navigator.gpu and checks it gives an adapter; throws the sentence above when not.
 * `probe` is for tests of this helper.
 */
export async function requireDawnGpu(probe: () => DawnGpuProbe = probeDawnGpu): Promise<void> {
  const found = probe();
  const problem = dawnGpuProblem(found);
  if (problem) throw new Error(problem);
  if (!(await installDawnGpu())) throw new Error(`WebGPU tests need the \`webgpu\` npm package (Dawn), which did not load: run npm install.`);
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error(noAdapterProblem(found));
}
