/**
 * The checkpoint fixtures in fixtures/checkpoints/ (manifest.json: format 1, written by the v1 engine;
 * manifest-v2.json: format 2, by scripts/makeCheckpointFixtures.ts): what each run was and how to
 * load its model, dataset and plan into a session again. Shared by the test that resumes them and the
 * script that writes the format-2 ones.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SavedRun, TrainConfig, TrainPlan } from '../api.ts';
import type { Session } from '../session/session.ts';
import { readFolder } from './readFolder.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface EngineCall {
  method: string;
  args: unknown[];
}

export interface CheckpointFixture {
  file: string;
  sha256: string;
  kind: 'table' | 'lm';
  runId: string;
  summary: SavedRun;
  step: number;
  totalSteps: number;
  position: { kind: 'epochs'; epoch: number; batch: number } | { kind: 'lm'; cursor: number };
  /** The run's config as it was written (v1: no `task`; the LM's schedule as a string). */
  config: Record<string, unknown>;
  /** setBackend, then importCsv/loadTabularModel/setPlan or lmLoadModel/lmImportText/lmSetPlan. */
  engineCalls: EngineCall[];
  resumeCall: EngineCall;
  uninterruptedLosses: number[];
  uninterruptedEvals?: { step: number; validationLoss: number }[];
}

export interface CheckpointManifest {
  format: { magic: string; version: number };
  fixtures: Record<string, CheckpointFixture>;
}

export function readManifest(name: 'manifest.json' | 'manifest-v2.json'): CheckpointManifest {
  return JSON.parse(readFileSync(`${ROOT}fixtures/checkpoints/${name}`, 'utf8')) as CheckpointManifest;
}

/** Arguments with {"$file": path} as a Blob and {"$folder": path} as the folder's files (paths from the repository root). */
function materialize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(materialize);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$file === 'string') return new Blob([readFileSync(ROOT + o.$file)]);
    if (typeof o.$folder === 'string') return readFolder(ROOT + o.$folder);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, materialize(v)]));
  }
  return value;
}

/** The arguments the fixture's run gave `method`, materialized. */
function argsOf(fixture: CheckpointFixture, method: string): unknown[] {
  const call = fixture.engineCalls.find((c) => c.method === method);
  if (!call) throw new Error(`${fixture.file}: no ${method} call in the manifest`);
  return materialize(call.args) as unknown[];
}

/** The v1 plan as the session takes it now: "trained in full" is 'full' (v1 wrote 'train'). */
function planNow(plan: Record<string, { kind: string }>): TrainPlan {
  return Object.fromEntries(Object.entries(plan).map(([k, m]) => [k, m.kind === 'train' ? { ...m, kind: 'full' } : m])) as TrainPlan;
}

/** Loads the fixture's model, dataset, split and plan into a session on the CPU backend. */
export async function loadFixtureRun(session: Session, fixture: CheckpointFixture): Promise<void> {
  await session.setBackend('cpu');
  if (fixture.kind === 'table') {
    const [name, csv, options] = argsOf(fixture, 'importCsv') as Parameters<Session['importCsv']>;
    await session.importCsv(name, csv, options);
    await session.loadTabularModel();
    const [plan, batchSize] = argsOf(fixture, 'setPlan') as [Record<string, { kind: string }>, number];
    await session.setPlan(planNow(plan), batchSize);
    return;
  }
  const [source] = argsOf(fixture, 'lmLoadModel') as Parameters<Session['lmLoadModel']>;
  await session.lmLoadModel(source);
  const [name, text, options] = argsOf(fixture, 'lmImportText') as Parameters<Session['lmImportText']>;
  await session.lmImportText(name, text, options);
  const [plan, batchSize, maxLength] = argsOf(fixture, 'lmSetPlan') as [TrainPlan, number, number];
  await session.lmSetPlan(plan, batchSize, maxLength);
}

/** What the resume call asks for: the run's id and the checkpoint settings (the saved run's own settings are used). */
export function resumeAsked(fixture: CheckpointFixture): { resumeFrom: string; checkpoint: TrainConfig['checkpoint'] } {
  return fixture.resumeCall.args[0] as { resumeFrom: string; checkpoint: TrainConfig['checkpoint'] };
}
