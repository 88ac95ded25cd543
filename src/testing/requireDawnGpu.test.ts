import { describe, expect, it } from 'vitest';
import { SWIFTSHADER_ICD } from './dawnGpu.ts';
import { dawnGpuProblem, noAdapterProblem, requireDawnGpu, type DawnGpuProbe } from './requireDawnGpu.ts';

const complete: DawnGpuProbe = { vulkanLoader: true, icdPaths: [SWIFTSHADER_ICD], missingIcds: [], icdFromEnv: false };

describe('dawnGpuProblem', () => {
  it('is null when the loader and the driver manifest are there', () => {
    expect(dawnGpuProblem(complete)).toBeNull();
  });

  it('names the missing Vulkan loader', () => {
    expect(dawnGpuProblem({ ...complete, vulkanLoader: false })).toBe(
      "WebGPU tests need Dawn's Vulkan loader and SwiftShader driver: apt-get install chromium libvulkan1 (missing: libvulkan.so.1).",
    );
  });

  it("names Chromium's missing SwiftShader driver", () => {
    expect(dawnGpuProblem({ ...complete, missingIcds: [SWIFTSHADER_ICD] })).toBe(
      `WebGPU tests need Dawn's Vulkan loader and SwiftShader driver: apt-get install chromium libvulkan1 (missing: ${SWIFTSHADER_ICD}).`,
    );
  });

  it('names both when both are missing', () => {
    expect(dawnGpuProblem({ ...complete, vulkanLoader: false, missingIcds: [SWIFTSHADER_ICD] })).toMatch(new RegExp(`\\(missing: libvulkan\\.so\\.1, ${SWIFTSHADER_ICD.replace(/\./g, '\\.')}\\)\\.$`));
  });

  it('points at VK_ICD_FILENAMES when the driver it names is missing', () => {
    const probe: DawnGpuProbe = { vulkanLoader: true, icdPaths: ['/nowhere/icd.json'], missingIcds: ['/nowhere/icd.json'], icdFromEnv: true };
    expect(dawnGpuProblem(probe)).toMatch(/\(missing: \/nowhere\/icd\.json\); VK_ICD_FILENAMES names a driver manifest that does not exist/);
  });

  it('says where to look when loader and driver are there but no adapter came', () => {
    expect(noAdapterProblem(complete)).toMatch(/found libvulkan\.so\.1 and .*vk_swiftshader_icd\.json, but Dawn offered no adapter/);
  });
});

describe('requireDawnGpu', () => {
  it('fails (never skips) with the sentence, before touching Dawn', async () => {
    await expect(requireDawnGpu(() => ({ ...complete, vulkanLoader: false }))).rejects.toThrow(/apt-get install chromium libvulkan1 \(missing: libvulkan\.so\.1\)/);
  });
});
