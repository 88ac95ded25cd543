import type { BackendChoice, BackendReport } from '../../../src/index.ts';

/**
 * A warning before forcing a backend that was measured much slower than one this browser has:
 * WebGPU on a software adapter (SwiftShader, WARP, llvmpipe). `npm run bench` measured it at about
 * 20x slower than WASM for a LoRA step and 100x for the shapes CNN (docs/benchmarks.md). Null when
 * the choice is fine.
 */
export function slowBackendWarning(choice: BackendChoice, report: BackendReport | null): string | null {
  if (choice !== 'webgpu' || !report?.adapter?.isSoftware || report.name === 'webgpu') return null;
  return 'WebGPU here runs on a software adapter with no real GPU: training was measured 20 to 100 times slower than on WASM on such a machine. Switch anyway?';
}
