/**
 * A lost GPU device on real WebGPU (Dawn in Node): the engine says so, stops a run, starts a new
 * device once by itself, and trains again on it.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT, DEFAULT_CLASSIFIER_TRAIN_CONFIG, type EngineEvent } from '../api.ts';
import { currentWebGpuDevice } from '../backend/registerWebGpuBackend.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { Session } from './session.ts';
import { readFolder } from '../testing/readFolder.ts';
import { requireDawnGpu } from '../testing/requireDawnGpu.ts';
import { serveFolder } from '../testing/serveFolder.ts';

const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));

describe('a lost GPU device', () => {
  beforeAll(() => requireDawnGpu());
  const events: EngineEvent[] = [];
  const engine = new Session({ decodeImage: decodeImagePng }, (e) => events.push(e));
  afterAll(() => engine.dispose());

  it('is reported, stops the run, and is replaced by a new device once', async () => {
    const server = await serveFolder(PUBLIC);
    try {
      await engine.setBackend('webgpu');
      await engine.loadModel(`${server.url}models/shapes-cnn/model.json`);
      await engine.importImages('shapes-sample', readFolder(`${PUBLIC}datasets/shapes-sample`), DEFAULT_SPLIT);
      const run = engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 200 });
      // Lose the device mid-run, as a driver reset would.
      while (!events.some((e) => e.type === 'step')) await new Promise((r) => setTimeout(r, 20));
      const lostDevice = currentWebGpuDevice();
      lostDevice!.destroy();
      await run.catch(() => null);
      const faults = () => events.filter((e): e is Extract<EngineEvent, { type: 'gpuFault' }> => e.type === 'gpuFault');
      await expect.poll(() => faults().some((f) => f.recovered === true), { timeout: 30_000 }).toBe(true);
      expect(faults()[0]!.message).toMatch(/GPU device was lost/);
      expect(currentWebGpuDevice()).not.toBe(lostDevice);
      // The model is back on the new device; a new run trains there.
      const again = await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 1 });
      expect(again.state).toBe('done');
      expect(again.steps).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
