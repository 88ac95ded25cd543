/**
 * Compiles the GEMM's WebAssembly text (src/kernels/wasm/gemmWat.ts) into the binaries the engine
 * loads (src/kernels/wasm/gemmWasmBinaries.ts). Run after changing gemmWat.ts:
 * `npx tsx scripts/buildGemmWasm.ts`; scripts/gemmWasmCompile.test.ts fails until the two agree.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gemmBinariesSource } from './gemmWasmCompile.ts';

const out = fileURLToPath(new URL('../src/kernels/wasm/gemmWasmBinaries.ts', import.meta.url));
writeFileSync(out, await gemmBinariesSource());
console.log(`wrote ${out}`);
