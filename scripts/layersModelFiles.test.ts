import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { MODEL_JSON, WEIGHTS_BIN, readLayersModel, writeLayersModel } from './layersModelFiles.ts';
import { FEATURE_LAYER, HEAD_LAYER, buildShapesCnn } from './shapesCnn.ts';

describe('buildShapesCnn + writeLayersModel', () => {
  let dir = '';
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'tabtune-model-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has the layer names the studio relies on, embedding right before head', () => {
    const model = buildShapesCnn(8, 1);
    expect(model.layers.map((l) => l.name)).toEqual([
      'image',
      'conv1',
      'pool1',
      'conv2',
      'pool2',
      'conv3',
      'pool3',
      'gap',
      FEATURE_LAYER,
      HEAD_LAYER,
    ]);
    expect(model.getLayer(FEATURE_LAYER).outputShape).toEqual([null, 64]);
    expect(model.outputs[0]?.shape).toEqual([null, 8]);
    model.dispose();
  });

  it('is seeded: the same seed gives the same initial weights', () => {
    const a = buildShapesCnn(8, 3);
    const b = buildShapesCnn(8, 3);
    const c = buildShapesCnn(8, 4);
    const first = (m: tf.LayersModel) => Array.from(m.getLayer('conv1').getWeights()[0]!.dataSync());
    expect(first(a)).toEqual(first(b));
    expect(first(a)).not.toEqual(first(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('writes model.json + one weights.bin shard that tf.loadLayersModel reads back identically', async () => {
    const model = buildShapesCnn(8, 1);
    const written = await writeLayersModel(model, dir);
    expect((await readdir(dir)).sort()).toEqual([MODEL_JSON, WEIGHTS_BIN]);
    expect(written.weightsBytes).toBe(model.countParams() * 4);

    const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0]?.paths).toEqual([WEIGHTS_BIN]);

    const reloaded = await readLayersModel(dir);
    const input = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 7); // [2, 32, 32, 3]
    const before = model.predict(input) as tf.Tensor; // [2, 8]
    const after = reloaded.predict(input) as tf.Tensor; // [2, 8]
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    tf.dispose([input, before, after]);
    model.dispose();
    reloaded.dispose();
  });
});
