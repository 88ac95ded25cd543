import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { GenerateRequest } from '../../../src/index.ts';
import { studioStore } from '../../store/studioStore.ts';
import { fakeHandle, resetStudioStore, tinyLm } from '../../testing/studioFixtures.ts';
import { generateBoth } from './generate.ts';

beforeEach(() => {
  resetStudioStore();
  studioStore.getState().setLmModel(tinyLm);
});

describe('generateBoth', () => {
  it('runs base then adapted with distinct request ids and stores the results', async () => {
    studioStore.setState((s) => ({ session: { ...s.session, trainedRun: { ...s.session.trainedRun, lm: { task: 'lm', present: true, stale: false, reason: null } } } }));
    const calls: GenerateRequest[] = [];
    const handle = fakeHandle({
      lmGenerate: async (req) => {
        calls.push(req);
        return { requestId: req.requestId, text: `${req.model} text`, tokens: 2, finish: 'eos' };
      },
    });
    await generateBoth(handle);
    expect(calls.map((c) => c.model)).toEqual(['base', 'adapted']);
    expect(calls[0]!.requestId).not.toBe(calls[1]!.requestId);
    const g = studioStore.getState().generation;
    expect(g.base).toMatchObject({ text: 'base text', done: true, requestId: calls[0]!.requestId });
    expect(g.adapted).toMatchObject({ text: 'adapted text', done: true });
    expect(g.generating).toBe(false);
  });

  it('skips the adapted run without an adapter, and reports a failed base run', async () => {
    const lmGenerate = vi.fn(async () => {
      throw Object.assign(new Error('Out of memory'), { code: 'oom' });
    });
    await generateBoth(fakeHandle({ lmGenerate }));
    expect(lmGenerate).toHaveBeenCalledTimes(1);
    const s = studioStore.getState();
    expect(s.generation.base).toMatchObject({ done: true, skipped: 'Out of memory' });
    expect(s.generation.adapted.done).toBe(true);
    expect(s.notice.errors.at(-1)?.code).toBe('oom');
  });
});
