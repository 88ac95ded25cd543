/**
 * Guards and the one truth about a trained run, through a real Session on the CPU backend: what is
 * refused while a run or a download goes on (for every task), validation at the boundary, and the
 * trainedRun events the studio renders.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, DEFAULT_LM_DATASET_OPTIONS, DEFAULT_LM_TRAIN_CONFIG, DEFAULT_SPLIT, type EngineEvent, type TrainedRunInfo } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { errorOf } from '../testing/errorOf.ts';
import { readFolder } from '../testing/readFolder.ts';
import { serveFolder } from '../testing/serveFolder.ts';
import { Session } from './session.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CSV = readFileSync(`${ROOT}public/datasets/plants-sample.csv`);
const CHAT = readFileSync(`${ROOT}public/datasets/chat-sample.jsonl`);
const TINY_LM = `${ROOT}public/models/tiny-chat-lm`;

async function tableSession(events: EngineEvent[] = []): Promise<Session> {
  const session = new Session({ decodeImage: decodeImagePng }, (e) => events.push(e));
  await session.setBackend('cpu');
  await session.importCsv('plants', new Blob([CSV]), { split: DEFAULT_SPLIT });
  await session.loadTabularModel();
  await session.setPlan({ dense_1: { kind: 'full' } }, 32);
  return session;
}

const runInfos = (events: EngineEvent[], task: TrainedRunInfo['task']) => events.flatMap((e) => (e.type === 'trainedRun' && e.info.task === task ? [e.info] : []));

describe('Session guards', () => {
  it('refuses a dataset import, a model load and a backend switch while a run goes on, then allows them', async () => {
    const session = await tableSession();
    let refusals: string[] = [];
    const run = session.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 50, batchSize: 32 });
    session.subscribe((e) => {
      if (e.type !== 'step' || e.point.step !== 2) return;
      // Mid-run: every state change of every task is refused with a sentence, then the run is stopped.
      void Promise.all([
        errorOf(session.importImages('shapes', readFolder(`${ROOT}public/datasets/shapes-sample`), DEFAULT_SPLIT)),
        errorOf(session.importCsv('plants', new Blob([CSV]), { split: DEFAULT_SPLIT })),
        errorOf(session.setBackend('cpu')),
        errorOf(session.lmLoadModel({ kind: 'files', files: readFolder(TINY_LM) })),
        errorOf(session.setPlan({}, 16)),
        errorOf(session.exportBundle()),
      ]).then((errors) => {
        refusals = errors.map((e) => `${e.code}: ${e.message}`);
        void session.stop();
      });
    });
    const result = await run;
    expect(result.state).toBe('stopped');
    expect(refusals).toHaveLength(6);
    for (const r of refusals) expect(r).toMatch(/^busy: Training is running: stop it first to /);
    // Once the run is over the same calls work.
    expect((await session.importCsv('plants', new Blob([CSV]), { split: DEFAULT_SPLIT })).total).toBeGreaterThan(100);
    expect((await session.setBackend('cpu')).name).toBe('cpu');
    session.dispose();
  });

  it('refuses a backend switch and the same task\'s work during a language-model download, not the other task\'s', async () => {
    const server = await serveFolder(`${TINY_LM}/`);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Every request of the download waits until the test lets it through.
    const slowFetch: typeof fetch = async (input, init) => {
      await gate;
      return fetch(input, init);
    };
    const session = new Session({ decodeImage: decodeImagePng, fetch: slowFetch });
    try {
      await session.setBackend('cpu');
      const download = session.lmLoadModel({ kind: 'url', url: server.url });
      const switched = await errorOf(session.setBackend('cpu'));
      expect(switched.code).toBe('busy');
      expect(switched.message).toBe('A model download is still going: wait for it to finish to switch the backend.');
      expect((await errorOf(session.lmImportText('chat.jsonl', new Blob([CHAT]), DEFAULT_LM_DATASET_OPTIONS))).code).toBe('busy');
      // The classifier's own work is not in the download's way.
      expect((await session.importCsv('plants', new Blob([CSV]), { split: DEFAULT_SPLIT })).total).toBeGreaterThan(100);
      release();
      expect((await download).architecture).toBe('llama');
      expect((await session.lmImportText('chat.jsonl', new Blob([CHAT]), DEFAULT_LM_DATASET_OPTIONS)).examples).toBeGreaterThan(10);
    } finally {
      session.dispose();
      await server.close();
    }
  });

  it('says a dropped model folder is being read, not downloaded, when it refuses the same task\'s work', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // config.json is read first: held until the test lets it through.
    class HeldBlob extends Blob {
      override async arrayBuffer(): Promise<ArrayBuffer> {
        await gate;
        return super.arrayBuffer();
      }
    }
    const files = readFolder(TINY_LM).map((f) => (f.path.split('/').at(-1) === 'config.json' ? { ...f, file: new HeldBlob([readFileSync(`${TINY_LM}/config.json`)]) } : f));
    const session = new Session({ decodeImage: decodeImagePng });
    try {
      await session.setBackend('cpu');
      const load = session.lmLoadModel({ kind: 'files', files });
      const refused = await errorOf(session.lmImportText('chat.jsonl', new Blob([CHAT]), DEFAULT_LM_DATASET_OPTIONS));
      expect(refused.code).toBe('busy');
      expect(refused.message).toBe('Reading the model files is still going: wait for it to finish to load another dataset.');
      release();
      expect((await load).architecture).toBe('llama');
    } finally {
      session.dispose();
    }
  });

  it('validates every task\'s config at the boundary: gradient accumulation 0 is a sentence, not an internal error', async () => {
    const session = new Session({ decodeImage: decodeImagePng });
    await session.setBackend('cpu');
    await session.lmLoadModel({ kind: 'files', files: readFolder(TINY_LM) });
    await session.lmImportText('chat.jsonl', new Blob([CHAT]), DEFAULT_LM_DATASET_OPTIONS);
    await session.lmSetPlan({ 'model.layers.0.self_attn.q_proj': { kind: 'lora', r: 2, alpha: 4 } }, 4, 64);
    const error = await errorOf(session.train({ ...DEFAULT_LM_TRAIN_CONFIG, gradAccumulation: 0 }));
    expect(error.code).toBe('bad-config');
    expect(error.message).toMatch(/gradAccumulation is 0/);
    expect((await errorOf(session.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 0 }))).code).toBe('bad-config');
    session.dispose();
  });

  it('tells the one truth about a trained run: present after a run, stale after a new split or model, still usable', async () => {
    const events: EngineEvent[] = [];
    const session = await tableSession(events);
    expect(runInfos(events, 'classifier')).toEqual([{ task: 'classifier', present: false, stale: false, reason: null }]);
    await session.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 1, batchSize: 32 });
    expect(runInfos(events, 'classifier').at(-1)).toEqual({ task: 'classifier', present: true, stale: false, reason: null });
    await session.setSplit({ validationFraction: 0.3, seed: 7 });
    expect(runInfos(events, 'classifier').at(-1)).toMatchObject({ present: true, stale: true, reason: 'The dataset (or its split) changed since this run was trained.' });
    // Still usable: it predicts and exports what it was trained as.
    expect((await session.exportWeights()).safetensors.byteLength).toBeGreaterThan(0);
    await session.loadTabularModel();
    expect(runInfos(events, 'classifier').at(-1)).toMatchObject({ present: true, stale: true, reason: 'The model loaded now is not the one this run was trained on.' });
    // A backend switch reloads the models; the run is still as stale as it was, and no event repeats it.
    const before = runInfos(events, 'classifier').length;
    await session.setBackend('cpu');
    expect(runInfos(events, 'classifier')).toHaveLength(before);
    session.dispose();
  });

  it('reports what it is busy with, and idle after', async () => {
    const events: EngineEvent[] = [];
    const session = await tableSession(events);
    const activities = events.flatMap((e) => (e.type === 'activity' ? [e.activity ? `${e.activity.kind}:${e.activity.task}` : 'idle'] : []));
    expect(activities).toEqual(['load:null', 'idle', 'import:classifier', 'idle', 'load:classifier', 'idle']);
    session.dispose();
  });
});
