import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LmDatasetSummary, LmModelSource } from '../../../src/index.ts';
import { studioStore } from '../../store/studioStore.ts';
import { fakeHandle, resetStudioStore, tinyLm } from '../../testing/studioFixtures.ts';
import { importLmText } from '../dataset/lmTextActions.ts';
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

  it('text dropped while a model loads waits for it: no error, then read with the new tokenizer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const lmLoadModel = vi.fn(async () => {
      await gate;
      return tinyLm;
    });
    const dataset = { name: 'notes.txt', train: 9 } as LmDatasetSummary;
    const lmImportText = vi.fn(async () => dataset);
    const handle = fakeHandle({ lmLoadModel, lmImportText });
    const load = loadLmModel(handle, source, 'm');
    expect(await importLmText(handle, 'notes.txt', new Blob(['hello']))).toBe(false);
    expect(lmImportText).not.toHaveBeenCalled();
    expect(studioStore.getState().notice.errors).toEqual([]);
    release();
    expect(await load).toBe(true);
    expect(lmImportText).toHaveBeenCalledTimes(1);
    expect(studioStore.getState().lm.dataset).toMatchObject({ summary: dataset, fileName: 'notes.txt', importing: false });
  });

  it('text that waited for a model that failed to load is read by the model already loaded', async () => {
    const handle = fakeHandle({ lmLoadModel: vi.fn(async () => tinyLm) });
    await loadLmModel(handle, source, 'm');
    let fail!: () => void;
    const gate = new Promise<void>((r) => (fail = r));
    const dataset = { name: 'notes.txt', train: 9 } as LmDatasetSummary;
    const lmImportText = vi.fn(async () => dataset);
    const failing = fakeHandle({
      lmLoadModel: vi.fn(async () => {
        await gate;
        throw Object.assign(new Error('config.json: not JSON'), { code: 'hf-config-invalid' });
      }),
      lmImportText,
    });
    const load = loadLmModel(failing, source, 'other');
    expect(await importLmText(failing, 'notes.txt', new Blob(['hello']))).toBe(false);
    fail();
    expect(await load).toBe(false);
    expect(lmImportText).toHaveBeenCalledTimes(1);
    expect(studioStore.getState().lm.dataset.fileName).toBe('notes.txt');
    expect(studioStore.getState().notice.errors.map((e) => e.title)).toEqual(['Could not load the language model']);
  });
});
