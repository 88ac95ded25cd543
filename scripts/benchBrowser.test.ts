import { describe, expect, it } from 'vitest';
import { browserReport } from './benchBrowser.ts';
import type { CompareOptions, CompareRow } from './benchCompare.ts';

describe('browserReport', () => {
  const options: CompareOptions = { preset: 'smollm2-135m', batch: 4, seq: 128, steps: 3, warmup: 1, threads: [1, 2], rounds: 2, device: 'cpu' };
  const row = (engine: string, threads: number, stepMs: number, extra: Partial<CompareRow> = {}): CompareRow => ({ engine, threads, stepMs, tokensPerSecond: 512_000 / stepMs, ...extra });

  it("sets Chromium's threads against its one thread and each side against Node's", () => {
    const text = browserReport(
      [
        row('tabtune wasm in Chromium 156', 1, 6000, { roundMs: [6000, 6200], wasmHeapBytes: 1298 * 2 ** 20 }),
        row('tabtune wasm in Chromium 156', 2, 3500, { roundMs: [3400, 3875] }),
        row('tabtune wasm in Node v20', 1, 5700),
        row('tabtune wasm in Node v20', 2, 3640),
      ],
      options,
    );
    expect(text).toContain('| tabtune wasm in Chromium 156 | 1 | 6000 | 85.3 | - | - | 1298 MiB | - |');
    expect(text).toContain('Chromium all threads / Chromium 1 thread, tokens/s: 1.71');
    expect(text).toContain('Chromium / Node, 1 thread, tokens/s: 0.95');
    expect(text).toContain('Chromium / Node, all threads, tokens/s: 1.04');
    expect(text).toContain('Chromium per round (all threads / 1 thread): 1.76, 1.60');
  });

  it('says a side was skipped instead of giving a ratio', () => {
    const text = browserReport([{ engine: 'tabtune wasm in Chromium', skipped: 'no Chromium at /x' }, row('tabtune wasm in Node v20', 1, 5700), row('tabtune wasm in Node v20', 2, 3640)], options);
    expect(text).toContain('| tabtune wasm in Chromium | - | skipped: no Chromium at /x |');
    expect(text).toContain('Chromium / Node, 1 thread, tokens/s: n/a (a side was skipped)');
  });
});
