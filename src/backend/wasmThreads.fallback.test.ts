/**
 * A threaded start that cannot work (its .wasm cannot be read, as on a host that does not serve it)
 * falls back to TF.js' single-thread build, still computes, and says why in the report. Its own file:
 * the WASM backend starts once per process.
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { startBackend } from './startBackend.ts';
import { useWasmThreads } from './wasmThreads.ts';

describe('threaded WASM fallback', () => {
  it('runs one thread with the reason when the threaded build cannot load', async () => {
    const glue = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
    const missing = join(tmpdir(), `tabtune-no-such-${process.pid}.wasm`);
    // The worker path is never reached: the start fails on the .wasm first.
    useWasmThreads({ threads: 2, glue, worker: glue.replace(/\.js$/, '.worker.js'), wasmBinary: async () => readFileSync(missing) });
    const report = await startBackend('wasm');
    expect(report.name).toBe('wasm');
    expect(getThreadsCount()).toBe(1);
    expect(report.threads).toBe(1);
    expect(report.threadsNote).toMatch(/^1 thread \(2 asked\): the threaded WASM build did not start \(the threaded \.wasm did not load: .*no-such-/);
    expect(Array.from(tf.matMul([[1, 2]], [[3], [4]]).dataSync())).toEqual([11]);
  });
});
