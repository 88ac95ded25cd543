import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LmModelSource } from '../../../src/index.ts';
import { studioStore } from '../../store/studioStore.ts';
import { fakeHandle, resetStudioStore, tinyLm } from '../../testing/studioFixtures.ts';
import { loadLmModel } from './lmModelActions.ts';

describe('loadLmModel', () => {
  beforeEach(() => resetStudioStore());

  const source: LmModelSource = { kind: 'url', url: 'http://127.0.0.1/m/' };

  it('loads with the chosen frozen-weight storage (auto until changed) and shows the summary', async () => {
    const lmLoadModel = vi.fn(async () => tinyLm);
    expect(await loadLmModel(fakeHandle({ lmLoadModel }), source, 'm')).toBe(true);
    expect(lmLoadModel).toHaveBeenLastCalledWith(source, { weightStorage: 'auto' });
    studioStore.getState().setLmWeightStorage('float32');
    expect(await loadLmModel(fakeHandle({ lmLoadModel }), source, 'm')).toBe(true);
    expect(lmLoadModel).toHaveBeenLastCalledWith(source, { weightStorage: 'float32' });
    expect(studioStore.getState().lm.model).toMatchObject({ summary: tinyLm, loading: false, source: 'm', weightStorage: 'float32' });
  });

  it('a failed load shows the engine sentence and keeps the model already loaded', async () => {
    await loadLmModel(fakeHandle({ lmLoadModel: vi.fn(async () => tinyLm) }), source, 'm');
    const failing = vi.fn(async () => {
      throw Object.assign(new Error('config.json: not JSON'), { code: 'hf-config-invalid' });
    });
    expect(await loadLmModel(fakeHandle({ lmLoadModel: failing }), source, 'other')).toBe(false);
    expect(studioStore.getState().lm.model).toMatchObject({ summary: tinyLm, source: 'm', loading: false });
    expect(studioStore.getState().notice.errors.at(-1)).toMatchObject({ title: 'Could not load the language model', code: 'hf-config-invalid' });
  });
});
