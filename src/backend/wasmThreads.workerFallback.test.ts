/**
 * A pthread worker script that does not load (a host that does not serve it; here a path with no
 * file) ends the threaded start in the single-thread fallback with the reason, never in an uncaught
 * exception. Its own file: the WASM backend starts once per process.
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { startBackend } from './startBackend.ts';
import { THREADED_GLUE_MODULE } from './threadWorkerScript.ts';
import { useWasmThreads } from './wasmThreads.ts';

describe('threaded WASM fallback on a missing worker script', () => {
  it('runs one thread and names the worker failure', async () => {
    const glue = createRequire(import.meta.url).resolve(THREADED_GLUE_MODULE);
    const missing = join(tmpdir(), `tabtune-no-such-worker-${process.pid}.cjs`);
    useWasmThreads({ threads: 2, glue, worker: missing, wasmBinary: async () => readFileSync(glue.replace(/\.js$/, '.wasm')) });
    const report = await startBackend('wasm');
    expect(report.name).toBe('wasm');
    expect(getThreadsCount()).toBe(1);
    expect(report.threadsNote).toMatch(/^1 thread \(2 asked\): the threaded WASM build did not start \(a thread worker failed: .*no-such-worker/);
    expect(Array.from(tf.matMul([[1, 2]], [[3], [4]]).dataSync())).toEqual([11]);
  });
});
