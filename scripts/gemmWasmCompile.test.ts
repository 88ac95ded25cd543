import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gemmBinariesSource } from './gemmWasmCompile.ts';

describe('the GEMM binaries', () => {
  it('are the WebAssembly text of gemmWat.ts, compiled (run `npx tsx scripts/buildGemmWasm.ts` after changing it)', async () => {
    const committed = readFileSync(new URL('../src/kernels/wasm/gemmWasmBinaries.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await gemmBinariesSource());
  });
});
