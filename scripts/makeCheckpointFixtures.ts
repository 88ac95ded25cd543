/**
 * Writes checkpoint fixtures made by the current (v1) engine, so a later engine can prove it still
 * resumes checkpoints saved in this format ("TTCK" version 1, train/checkpoint.ts):
 *
 *   fixtures/checkpoints/v1-table.ttck   a table (CSV) run with a LoRA + trained-layer plan, stopped mid-epoch
 *   fixtures/checkpoints/v1-lm.ttck      a language-model run (tiny-chat-lm, LoRA r=2 on q_proj/v_proj), stopped at step 3
 *   fixtures/checkpoints/table.csv       the table (generated here, seeded)
 *   fixtures/checkpoints/chat.jsonl      the first lines of public/datasets/chat-sample.jsonl
 *   fixtures/checkpoints/manifest.json   per fixture: the engine calls that rebuild the model, dataset, split and
 *                                        plan; the run's config; the saved run (SavedRun) and checkpoint meta; the
 *                                        per-step losses of the uninterrupted run and of the run resumed from the file.
 *
 * Everything runs on TF.js's CPU backend (deterministic). The script checks that a run resumed from each
 * file (read back from disk into a fresh engine and store) gives the uninterrupted run's losses to 1e-6.
 *
 *   npx tsx scripts/makeCheckpointFixtures.ts
 */
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_LM_DATASET_OPTIONS,
  DEFAULT_LM_TRAIN_CONFIG,
  DEFAULT_TRAIN_CONFIG,
  type EngineEvent,
  type LayerPlan,
  type LmDatasetOptions,
  type LmPlan,
  type LmTrainConfig,
  type SavedRun,
  type SplitOptions,
  type TrainConfig,
} from '../src/api.ts';
import { decodeImagePng } from '../src/data/decodeImagePng.ts';
import { Engine } from '../src/engine.ts';
import { memoryCheckpointStore, type CheckpointStore } from '../src/storage/checkpointStore.ts';
import { readFolder } from '../src/testing/readFolder.ts';
import { deserializeCheckpoint } from '../src/train/checkpoint.ts';
import { tf } from '../src/tf.ts';
import { mulberry32 } from './rng.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = 'fixtures/checkpoints';
const OUT = join(ROOT, OUT_DIR);

// What the runs are ------------------------------------------------------------------------------

const TABLE = {
  csv: `${OUT_DIR}/table.csv`,
  datasetName: 'table',
  split: { validationFraction: 0.15, seed: 42 } satisfies SplitOptions,
  plan: { dense_1: { kind: 'lora', r: 4, alpha: 8, dropout: 0.2 }, dense_2: { kind: 'train' } } satisfies LayerPlan,
  batchSize: 8,
  config: {
    ...DEFAULT_TRAIN_CONFIG,
    epochs: 4,
    batchSize: 8,
    learningRate: 0.01,
    schedule: { kind: 'linear', warmupSteps: 2 },
    checkpoint: { everySteps: 3, everySeconds: 0 },
  } satisfies TrainConfig,
  /** Stopped after this step (not a multiple of the 7 batches per epoch: mid-epoch). */
  stopAt: 10,
};

const LM = {
  modelDir: 'public/models/tiny-chat-lm',
  dataset: `${OUT_DIR}/chat.jsonl`,
  datasetName: 'chat.jsonl',
  datasetLines: 40,
  datasetOptions: { ...DEFAULT_LM_DATASET_OPTIONS, maxLength: 64 } satisfies LmDatasetOptions,
  lora: { kind: 'lora', r: 2, alpha: 4, dropout: 0.1 } as const,
  targets: ['q_proj', 'v_proj'],
  config: {
    ...DEFAULT_LM_TRAIN_CONFIG,
    steps: 8,
    warmupSteps: 2,
    batchSize: 4,
    gradAccumulation: 2,
    evalEvery: 4,
    learningRate: 5e-3,
    checkpoint: { everySteps: 2, everySeconds: 0 },
  } satisfies LmTrainConfig,
  stopAt: 3,
};

// Inputs -------------------------------------------------------------------------------------------

/** 60 seeded rows: two numbers and a colour that depend on a 3-class label (last column). */
export function makeTableCsv(): string {
  const rng = mulberry32(20240601);
  const normal = () => (rng() + rng() + rng() + rng() - 2) * 1.7;
  const classes = ['low', 'mid', 'high'];
  const shades = ['red', 'green', 'blue'];
  const lines = ['width,height,shade,grade'];
  for (let i = 0; i < 60; i++) {
    const c = i % 3;
    const width = 2 + c * 1.5 + normal() * 0.8;
    const height = 10 - c * 2 + normal() * 1.5;
    const shade = rng() < 0.6 ? shades[c]! : shades[Math.floor(rng() * 3)]!;
    lines.push(`${width.toFixed(2)},${height.toFixed(2)},${shade},${classes[c]}`);
  }
  return `${lines.join('\n')}\n`;
}

function makeChatJsonl(): string {
  const lines = readFileSync(join(ROOT, 'public/datasets/chat-sample.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return `${lines.slice(0, LM.datasetLines).join('\n')}\n`;
}

// Engine plumbing ----------------------------------------------------------------------------------

interface Put {
  runId: string;
  bytes: Uint8Array;
  summary: SavedRun;
}

/** A memory store that also keeps every put, in order. */
function recordingStore(): CheckpointStore & { puts: Put[] } {
  const inner = memoryCheckpointStore();
  const puts: Put[] = [];
  return {
    puts,
    async put(runId, bytes, summary) {
      puts.push({ runId, bytes: bytes.slice(), summary: structuredClone(summary) });
      await inner.put(runId, bytes, summary);
    },
    latest: (id) => inner.latest(id),
    list: () => inner.list(),
    delete: (id) => inner.delete(id),
  };
}

async function cpuEngine(store: CheckpointStore) {
  let onEvent: (e: EngineEvent) => void = () => {};
  const engine = new Engine({ decodeImage: decodeImagePng, checkpoints: store }, (e) => onEvent(e));
  await engine.setBackend('cpu');
  /** Runs `train`, collecting the per-step losses (and evaluations), stopping after step `stopAt`. */
  const run = async <R>(train: () => Promise<R>, stopAt = -1) => {
    const losses: number[] = [];
    const evals: { step: number; validationLoss: number }[] = [];
    const epochs: { epoch: number; step: number; validationLoss: number; validationAccuracy: number; trainLoss: number }[] = [];
    onEvent = (e) => {
      if (e.type === 'step' || e.type === 'lmStep') {
        losses.push(e.point.loss);
        if (e.point.step === stopAt) engine.stop();
      }
      if (e.type === 'lmEval') evals.push({ step: e.point.step, validationLoss: e.point.validationLoss });
      if (e.type === 'epoch') {
        const { epoch, step, validationLoss, validationAccuracy, trainLoss } = e.point;
        epochs.push({ epoch, step, validationLoss, validationAccuracy, trainLoss });
      }
    };
    try {
      return { result: await train(), losses, evals, epochs };
    } finally {
      onEvent = () => {};
    }
  };
  return { engine, run };
}

const csvBlob = () => new Blob([readFileSync(join(ROOT, TABLE.csv))]);
const chatBlob = () => new Blob([readFileSync(join(ROOT, LM.dataset))]);

async function rebuildTable(engine: Engine): Promise<void> {
  await engine.importCsv(TABLE.datasetName, csvBlob(), { split: TABLE.split });
  await engine.loadTabularModel();
  engine.setPlan(TABLE.plan, TABLE.batchSize);
}

async function rebuildLm(engine: Engine): Promise<LmPlan> {
  const summary = await engine.lmLoadModel({ kind: 'files', files: readFolder(join(ROOT, LM.modelDir)) });
  await engine.lmImportText(LM.datasetName, chatBlob(), LM.datasetOptions);
  const plan: LmPlan = Object.fromEntries(summary.modules.filter((m) => LM.targets.includes(m.name)).map((m) => [m.path, { ...LM.lora }]));
  engine.lmSetPlan(plan, LM.config.batchSize, LM.datasetOptions.maxLength);
  return plan;
}

const maxDiff = (a: number[], b: number[]) => Math.max(0, ...a.map((x, i) => Math.abs(x - b[i]!)));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

// The runs ---------------------------------------------------------------------------------------------

async function tableFixture() {
  const store = recordingStore();
  const { engine, run } = await cpuEngine(store);
  try {
    await rebuildTable(engine);
    const full = await run(() => engine.train(TABLE.config));
    check(full.result.state === 'done', `the uninterrupted table run ended ${full.result.state}`);
    const stopped = await run(() => engine.train(TABLE.config), TABLE.stopAt);
    check(stopped.result.state === 'stopped' && stopped.result.runId !== undefined, 'the table run did not stop with a checkpoint');
    check(maxDiff(stopped.losses, full.losses) === 0, 'the stopped table run does not repeat the uninterrupted one');
    const last = store.puts.filter((p) => p.runId === stopped.result.runId).at(-1)!;
    return { ...full, last, stoppedLosses: stopped.losses };
  } finally {
    engine.dispose();
  }
}

async function lmFixture() {
  const store = recordingStore();
  const { engine, run } = await cpuEngine(store);
  try {
    const plan = await rebuildLm(engine);
    const full = await run(() => engine.lmTrain(LM.config));
    check(full.result.state === 'done', `the uninterrupted LM run ended ${full.result.state}`);
    const stopped = await run(() => engine.lmTrain(LM.config), LM.stopAt);
    check(stopped.result.state === 'stopped' && stopped.result.runId !== undefined, 'the LM run did not stop with a checkpoint');
    check(maxDiff(stopped.losses, full.losses) === 0, 'the stopped LM run does not repeat the uninterrupted one');
    const last = store.puts.filter((p) => p.runId === stopped.result.runId).at(-1)!;
    return { ...full, last, plan, stoppedLosses: stopped.losses };
  } finally {
    engine.dispose();
  }
}

/** A fresh engine and store, the fixture read back from disk, the run resumed to its end. */
async function resumeFromFile(kind: 'table' | 'lm', file: string, summary: SavedRun) {
  const store = memoryCheckpointStore();
  await store.put(summary.runId, new Uint8Array(readFileSync(join(ROOT, file))), summary);
  const { engine, run } = await cpuEngine(store);
  try {
    if (kind === 'table') {
      await rebuildTable(engine);
      return await run(() => engine.train({ ...DEFAULT_TRAIN_CONFIG, resumeFrom: summary.runId, checkpoint: TABLE.config.checkpoint }));
    }
    await rebuildLm(engine);
    return await run(() => engine.lmTrain({ ...DEFAULT_LM_TRAIN_CONFIG, resumeFrom: summary.runId, checkpoint: LM.config.checkpoint }));
  } finally {
    engine.dispose();
  }
}

function positionOf(bytes: Uint8Array) {
  const { meta, state } = deserializeCheckpoint(bytes);
  const p = state.position;
  const position = p.kind === 'epochs' ? { kind: p.kind, epoch: p.epoch, batch: p.batch, rows: p.order.length } : { kind: p.kind, cursor: p.cursor, rows: p.order.length, pendingEval: p.pendingEval };
  return { meta, state, position };
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(ROOT, TABLE.csv), makeTableCsv());
  writeFileSync(join(ROOT, LM.dataset), makeChatJsonl());
  const commit = execSync('git rev-parse HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();

  const table = await tableFixture();
  const lm = await lmFixture();

  const fixtures: Record<string, unknown> = {};
  for (const [name, f, kind, spec] of [
    ['v1-table', table, 'table', TABLE],
    ['v1-lm', lm, 'lm', LM],
  ] as const) {
    const file = `${OUT_DIR}/${name}.ttck`;
    writeFileSync(join(ROOT, file), f.last.bytes);
    const { meta, state, position } = positionOf(f.last.bytes);
    check(meta.step === spec.stopAt && !meta.finished, `${name}: the checkpoint is at step ${meta.step}, not ${spec.stopAt}`);
    if (position.kind === 'epochs') check(position.batch !== 0, `${name}: the checkpoint is at an epoch boundary`);
    check(state.weights.length > 0 && state.optimizer.m.length === state.weights.length && 'order' in state.rng, `${name}: weights, moments or the data-order RNG are missing`);
    // The table run's dropout draws from a generator saved as rng.task; the LM loop seeds its dropout per step.
    if (kind === 'table') check('task' in state.rng, `${name}: the dropout RNG is missing`);
    const resumed = await resumeFromFile(kind, file, f.last.summary);
    check(resumed.result.state === 'done', `${name}: the resumed run ended ${resumed.result.state}`);
    const expected = f.losses.slice(meta.step);
    check(resumed.losses.length === expected.length, `${name}: the resumed run made ${resumed.losses.length} steps, not ${expected.length}`);
    const diff = maxDiff(resumed.losses, expected);
    console.log(`${name}: ${f.last.bytes.byteLength} bytes, step ${meta.step}/${meta.totalSteps}, resumed max |loss diff| = ${diff}`);
    check(diff <= 1e-6, `${name}: the resumed losses differ from the uninterrupted ones by ${diff}`);

    const common = {
      file,
      bytes: f.last.bytes.byteLength,
      sha256: sha256(f.last.bytes),
      kind,
      backend: 'cpu',
      runId: f.last.summary.runId,
      /** The store summary written with the bytes: put(runId, bytes, summary) loads the fixture into a store. */
      summary: f.last.summary,
      /** The checkpoint's header (CheckpointMeta), as decoded. */
      meta,
      step: meta.step,
      totalSteps: meta.totalSteps,
      position,
      stoppedAfterStep: spec.stopAt,
      config: spec.config,
      /** Loss of step i+1 of the run with this config, not stopped. */
      uninterruptedLosses: f.losses,
      /** Losses of steps step+1..totalSteps when resumed from the file with the engine that wrote it. */
      resumedLosses: resumed.losses,
      resumedMaxAbsDiff: diff,
    };
    if (kind === 'table') {
      fixtures[name] = {
        ...common,
        engineCalls: [
          { method: 'setBackend', args: ['cpu'] },
          { method: 'importCsv', args: [TABLE.datasetName, { $file: TABLE.csv }, { split: TABLE.split }] },
          { method: 'loadTabularModel', args: [] },
          { method: 'setPlan', args: [TABLE.plan, TABLE.batchSize] },
        ],
        trainCall: { method: 'train', args: [TABLE.config] },
        resumeCall: { method: 'train', args: [{ ...DEFAULT_TRAIN_CONFIG, resumeFrom: common.runId, checkpoint: TABLE.config.checkpoint }] },
        uninterruptedEpochs: table.epochs,
        resumedEpochs: resumed.epochs,
      };
    } else {
      fixtures[name] = {
        ...common,
        engineCalls: [
          { method: 'setBackend', args: ['cpu'] },
          { method: 'lmLoadModel', args: [{ kind: 'files', files: { $folder: LM.modelDir } }] },
          { method: 'lmImportText', args: [LM.datasetName, { $file: LM.dataset }, LM.datasetOptions] },
          { method: 'lmSetPlan', args: [lm.plan, LM.config.batchSize, LM.datasetOptions.maxLength] },
        ],
        trainCall: { method: 'lmTrain', args: [LM.config] },
        resumeCall: { method: 'lmTrain', args: [{ ...DEFAULT_LM_TRAIN_CONFIG, resumeFrom: common.runId, checkpoint: LM.config.checkpoint }] },
        uninterruptedEvals: lm.evals,
        resumedEvals: resumed.evals,
      };
    }
  }

  const manifest = {
    description:
      'Checkpoints written by the v1 engine (TTCK format version 1) on the CPU backend, with the per-step losses of the same runs uninterrupted. ' +
      'To use one: run engineCalls in order on a fresh Engine whose checkpoint store holds the file (store.put(summary.runId, bytes, summary)), then resumeCall; ' +
      'its step losses must equal uninterruptedLosses.slice(step). {"$file": p} is a Blob of that file, {"$folder": p} is readFolder(p) (src/testing/readFolder.ts); paths are relative to the repository root.',
    format: { magic: 'TTCK', version: 1 },
    generatedBy: 'npx tsx scripts/makeCheckpointFixtures.ts',
    engineCommit: commit,
    tfjs: tf.version.tfjs,
    fixtures,
  };
  writeFileSync(join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`Wrote ${OUT_DIR}/{v1-table.ttck, v1-lm.ttck, table.csv, chat.jsonl, manifest.json}`);
}

await main();
