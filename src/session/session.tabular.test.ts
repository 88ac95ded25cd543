/**
 * CSV training through the whole engine in Node (WASM): the sample table as classification (species)
 * and as regression (yield_g), an MLP built for its features, head-only and full plans, predictions
 * from raw cells, and the exported bundle.
 */
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT, DEFAULT_CLASSIFIER_TRAIN_CONFIG } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { Session } from './session.ts';
import { errorOf } from '../testing/errorOf.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';

const CSV = readFileSync(new URL('../../public/datasets/plants-sample.csv', import.meta.url));
const csvBlob = () => new Blob([CSV]);

// Every test gets its own session on the WASM backend.
let engine: Session;
beforeEach(async () => {
  engine = new Session({ decodeImage: decodeImagePng });
  await engine.setBackend('wasm');
});
afterEach(() => engine.dispose());

/** The species table with the MLP built for it (10 inputs), both hidden layers trained in full. */
async function speciesModel(): Promise<void> {
  await engine.importCsv('plants', csvBlob(), { split: DEFAULT_SPLIT });
  await engine.loadTabularModel();
  await engine.setPlan({ dense_1: { kind: 'full' }, dense_2: { kind: 'full' } }, 32);
}

/** The yield_g table (regression) with an MLP of one hidden layer built for it. */
async function yieldModel(): Promise<void> {
  await engine.importCsv('plants', csvBlob(), { split: DEFAULT_SPLIT, labelColumn: 'yield_g' });
  await engine.loadTabularModel([32]);
}

describe('Session on a CSV table (WASM)', () => {
  it('classifies species with an MLP built for the table, training its layers', async () => {
    const summary = await engine.importCsv('plants', csvBlob(), { split: DEFAULT_SPLIT });
    expect(summary.task).toBe('classification');
    expect(summary.labelColumn).toBe('species');
    expect(summary.classes.map((c) => c.name)).toEqual(['cactus', 'fern', 'sunflower']);
    // 4 numeric + soil (3) + watering (3)
    expect(summary.featureCount).toBe(10);
    expect(summary.example).not.toBeNull();
    expect(summary.example).not.toHaveProperty('species');

    const model = await engine.loadTabularModel();
    expect(model.inputKind).toBe('vector');
    expect(model.inputShape).toEqual([10]);
    expect(model.layers.map((l) => l.name)).toEqual(['dense_1', 'dense_2']);
    const plan = await engine.setPlan({ dense_1: { kind: 'full' }, dense_2: { kind: 'full' } }, 32);
    // dense_1 10x64+64, dense_2 64x32+32, head 32x3+3
    expect(plan.trainableParams).toBe(704 + 2080 + 99);

    // The run keeps its own copy of the MLP (dense_1, dense_2, output: 6), its head (2) and the base
    // features cached for the baseline (1); nothing else leaks per run, nor per prediction below.
    const result = await expectNoTensorLeak(() => engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 15, batchSize: 32, learningRate: 0.01 }), { keeps: 9 });
    expect(result.state).toBe('done');
    expect(result.evaluation!.accuracy).toBeGreaterThan(0.9);
    expect(result.evaluation!.confusion).toHaveLength(3);
    expect(result.evals.at(-1)!.validationRmse).toBeUndefined();
    // the baseline (random frozen MLP features + new head) is reported beside it
    expect(result.baseline).not.toBeNull();

    await expectNoTensorLeak(async () => {
      const p = await engine.predictRow(summary.example!);
      expect(p.classes).toEqual(['cactus', 'fern', 'sunflower']);
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const cactus = await engine.predictRow({ height_cm: '20', leaf_width_mm: '3', sunlight_h: '11', soil: 'sand', watering: 'rarely', yield_g: '50' });
      expect(cactus.probabilities[0]).toBeGreaterThan(0.8);
      expect((await errorOf(engine.predictRow({ height_cm: 'tall' }))).message).toMatch(/"tall" in "height_cm" is not a number/);
    });
  });

  it('exports the encoder with the run and a merged model that takes encoded rows', async () => {
    await speciesModel();
    await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 1, batchSize: 32 });
    const bundle = await engine.exportBundle();
    const files = unzipSync(bundle.zip);
    const manifest = JSON.parse(strFromU8(files['tabtune.json']!));
    expect(manifest.task).toBe('classification');
    expect(manifest.preprocessing.kind).toBe('table');
    expect(manifest.preprocessing.encoder.featureNames).toHaveLength(10);
    expect(manifest.dataset).toMatchObject({ kind: 'table', labelColumn: 'species', rows: 600 });
    const modelJson = JSON.parse(strFromU8(files['merged/model.json']!));
    expect(JSON.stringify(modelJson.modelTopology)).toContain('"batch_input_shape":[null,10]');
  });

  it('regresses yield_g in grams, head-only and with trained layers, and re-splits by refitting', async () => {
    await speciesModel();
    const summary = await engine.importCsv('plants', csvBlob(), { split: DEFAULT_SPLIT, labelColumn: 'yield_g' });
    expect(summary.task).toBe('regression');
    expect(summary.classes).toEqual([]);
    expect(summary.target!.mean).toBeGreaterThan(50);
    // species is now a feature: 3 numeric + soil 3 + watering 3 + species 3
    expect(summary.featureCount).toBe(12);
    // the old 10-input model does not fit the new table, and the engine says so
    expect((await errorOf(engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 1 }))).message).toMatch(/takes 10 inputs; the table encodes to 12 features/);
    await engine.loadTabularModel([32]);

    await engine.setPlan({}, 32);
    const headOnly = await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 10, batchSize: 32 });
    await engine.setPlan({ dense_1: { kind: 'full' } }, 32);
    const trained = await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 25, batchSize: 32, learningRate: 0.01 });
    const reg = trained.evaluation!.regression!;
    expect(Number.isNaN(trained.evaluation!.accuracy)).toBe(true);
    expect(trained.evals.at(-1)!.validationRmse).toBeCloseTo(reg.rmse, 6);
    // The target's spread is ~60 g; noise is 8 g. A working pipeline gets well under the spread.
    expect(reg.rmse).toBeLessThan(20);
    expect(reg.r2).toBeGreaterThan(0.85);
    expect(reg.rmse).toBeLessThan(headOnly.evaluation!.regression!.rmse);

    const p = await engine.predictRow(summary.example!);
    expect(p.classes).toEqual([]);
    expect(p.value).toBeGreaterThan(0);
    expect(p.value).toBeLessThan(400);

    // a new split refits the encoder on the new training rows
    const resplit = await engine.setSplit({ validationFraction: 0.3, seed: 5 });
    expect(resplit).toMatchObject({ validation: 180, train: 420 });
  });

  it('the regression bundle folds the target scale into the merged model', async () => {
    await yieldModel();
    await engine.setPlan({}, 32);
    await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 2, batchSize: 32 });
    const files = unzipSync((await engine.exportBundle()).zip);
    const manifest = JSON.parse(strFromU8(files['tabtune.json']!));
    expect(manifest.task).toBe('regression');
    expect(manifest.preprocessing.encoder.label).toMatchObject({ task: 'regression', column: 'yield_g' });
    expect(strFromU8(files['merged/model.json']!)).toContain('"activation":"linear"');
  });

  it('refuses images on a table model, and bad CSVs with the line', async () => {
    await speciesModel();
    expect((await errorOf(engine.importImages('x', [], DEFAULT_SPLIT))).message).toMatch(/takes table rows, not images/);
    const bad = new Blob(['a,b,label\n1,2,x\n3,4\n5,6,y\n7,8,x\n9,10,y\n']);
    const s = await engine.importCsv('bad', bad, { split: DEFAULT_SPLIT });
    expect(s.skippedRows).toBe(1);
    expect(s.issues.some((i) => i.line === 3)).toBe(true);
    expect((await errorOf(engine.importCsv('bad', bad, { split: DEFAULT_SPLIT, onBadRow: 'fail' }))).message).toMatch(/[Ll]ine 3/);
    // the failed import kept the dataset before it
    expect((await engine.setSplit(DEFAULT_SPLIT)).name).toBe('bad');
  });
});
