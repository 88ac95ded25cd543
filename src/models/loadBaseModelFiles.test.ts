import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetFile } from '../api.ts';
import { EngineError } from '../errors.ts';
import { tf } from '../tf.ts';
import { loadBaseModelFiles } from './baseModel.ts';

const DIR = fileURLToPath(new URL('../../public/models/shapes-cnn/', import.meta.url));
const read = (name: string) => readFileSync(`${DIR}${name}`);
const modelJson = JSON.parse(read('model.json').toString('utf8'));
const file = (path: string, bytes: Uint8Array | string): DatasetFile => ({ path, file: new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)]) });
const real = (): DatasetFile[] => [file('shapes-cnn/model.json', read('model.json')), file('shapes-cnn/weights.bin', read('weights.bin')), file('shapes-cnn/tabtune.json', read('tabtune.json'))];

async function rejection(files: DatasetFile[]): Promise<EngineError> {
  try {
    await loadBaseModelFiles(files);
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected the load to fail');
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loadBaseModelFiles', () => {
  it('loads a dropped model folder with its metadata', async () => {
    const base = await loadBaseModelFiles(real());
    expect(base.summary.name).toBe('Shapes CNN');
    expect(base.summary.featureLayer).toBe('embedding');
    expect(base.source.kind).toBe('files');
    base.model.dispose();
  });

  it('names a missing shard', async () => {
    const e = await rejection(real().filter((f) => !f.path.endsWith('.bin')));
    expect(e.message).toBe('shapes-cnn/model.json: weights file "weights.bin" listed in model.json is missing. Drop or serve it together with model.json.');
  });

  it('names shards with the wrong byte count', async () => {
    const files = real().map((f) => (f.path.endsWith('.bin') ? file(f.path, read('weights.bin').subarray(0, 1000)) : f));
    expect((await rejection(files)).message).toMatch(/"weights.bin" hold 1000 bytes, but model.json's weights need 113056/);
  });

  it('explains an unknown layer class', async () => {
    const json = structuredClone(modelJson);
    json.modelTopology.config.layers[1].class_name = 'MyFancyConv';
    const files = real().map((f) => (f.path.endsWith('model.json') ? file(f.path, JSON.stringify(json)) : f));
    expect((await rejection(files)).message).toMatch(/layer class "MyFancyConv" is not one TF.js knows/);
  });

  it('refuses graph models, non-JSON, and drops without exactly one model.json', async () => {
    const graph = real().map((f) => (f.path.endsWith('model.json') ? file(f.path, JSON.stringify({ ...modelJson, format: 'graph-model' })) : f));
    expect((await rejection(graph)).message).toMatch(/graph model/);
    const broken = real().map((f) => (f.path.endsWith('model.json') ? file(f.path, '{"modelTopology":') : f));
    expect((await rejection(broken)).message).toMatch(/not valid JSON/);
    expect((await rejection([file('x/weights.bin', new Uint8Array(4))])).message).toMatch(/No model\.json among the 1 dropped file/);
    expect((await rejection([...real(), file('other/model.json', read('model.json'))])).message).toMatch(/Several model\.json/);
  });
});
