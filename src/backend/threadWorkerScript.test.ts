import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { THREAD_WORKER_MODULE, threadWorkerScript } from './threadWorkerScript.ts';

describe('threadWorkerScript', () => {
  it("makes TF.js' pthread worker string a script that parses (the raw string does not)", () => {
    const { wasmWorkerContents } = createRequire(import.meta.url)(THREAD_WORKER_MODULE) as { wasmWorkerContents: string };
    expect(() => new Function(wasmWorkerContents)).toThrow(SyntaxError);
    const script = threadWorkerScript(wasmWorkerContents);
    expect(() => new Function(script)).not.toThrow();
    expect(script).toContain('importScripts(e.data.urlOrBlob)');
  });
});
