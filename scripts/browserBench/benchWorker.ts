/// <reference lib="webworker" />
/**
 * The browser bench's worker: the LoRA step that scripts/benchLmStep.ts times in Node, here on the
 * studio's own WASM set-up (src/backend/useBrowserWasm.ts) with XNNPACK's pool at one thread, as the
 * studio's language-model work starts it (src/session/sessionCore.ts).
 */
import { startBackend } from '../../src/backend/startBackend.ts';
import { useBrowserWasm } from '../../src/backend/useBrowserWasm.ts';
import { setWasmPoolThreads } from '../../src/backend/wasmThreads.ts';
import { timeLmSteps, type LmStepOptions, type LmStepResult } from '../lmStepTiming.ts';

declare const self: DedicatedWorkerGlobalScope;

export interface BenchRequest {
  threads: number;
  options: LmStepOptions;
}
export interface BenchReply {
  result?: LmStepResult;
  error?: string;
}

self.onmessage = async (e: MessageEvent<BenchRequest>) => {
  const reply = (message: BenchReply): void => self.postMessage(message);
  try {
    useBrowserWasm(e.data.threads);
    setWasmPoolThreads(1);
    const report = await startBackend('wasm');
    reply({ result: await timeLmSteps(e.data.options, report) });
  } catch (error) {
    reply({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  }
};
