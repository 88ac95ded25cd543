/**
 * The browser bench's page: starts one worker (a fresh WASM heap and thread pool, as the studio's
 * engine worker has), hands it the options from the query string, and shows its JSON result in
 * #result, with data-state done or failed, for scripts/benchBrowser.ts to read.
 */
import type { BenchRequest, BenchReply } from './benchWorker.ts';

const params = new URLSearchParams(location.search);
const num = (name: string, fallback: number): number => Number(params.get(name) ?? fallback);
const request: BenchRequest = {
  threads: num('threads', navigator.hardwareConcurrency || 1),
  options: {
    preset: params.get('preset') ?? 'smollm2-135m',
    ...(params.has('layers') ? { layers: num('layers', 0) } : {}),
    batch: num('batch', 4),
    seq: num('seq', 128),
    steps: num('steps', 3),
    warmup: num('warmup', 1),
  },
};
const out = document.getElementById('result')!;
const worker = new Worker(new URL('./benchWorker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (e: MessageEvent<BenchReply>) => {
  out.textContent = JSON.stringify(e.data.result ?? { error: e.data.error });
  out.dataset.state = e.data.result ? 'done' : 'failed';
};
worker.onerror = (e) => {
  out.textContent = JSON.stringify({ error: e.message || 'the bench worker failed to start' });
  out.dataset.state = 'failed';
};
worker.postMessage(request);
