/**
 * What happens before every run's first step, whatever its task: a resume is read and checked
 * against what is loaded, the config is validated at the boundary, and the checkpoint recorder is
 * set up. One order for every task, so a new task gets resume and checkpoints for free.
 */
import type { EngineEvent, RunResultBase, TrainConfig, TrainPlan } from '../api.ts';
import { EngineError } from '../errors.ts';
import type { CheckpointStore } from '../storage/checkpointStore.ts';
import { CheckpointRecorder, checkpointsOn, loadCheckpoint, newRunId, resumedConfig, resumeMismatch, type Checkpoint } from '../train/checkpoint.ts';
import { validateTrainConfig } from '../train/validateTrainConfig.ts';
import type { Task } from './task.ts';

export interface RunStart<C extends TrainConfig> {
  config: C;
  plan: TrainPlan;
  recorder: CheckpointRecorder | null;
  resume: Checkpoint | null;
}

export async function prepareCheckpoints<C extends TrainConfig>(
  asked: C,
  task: Task<C, RunResultBase>,
  store: CheckpointStore | undefined,
  emit: (event: EngineEvent) => void,
  onFirstWrite: () => void,
): Promise<RunStart<C>> {
  // Validated first: a config that cannot train is refused before anything is read or allocated.
  validateTrainConfig(asked);
  const identity = task.runIdentity(asked);
  let resume: Checkpoint | null = null;
  if (asked.resumeFrom) {
    resume = await loadCheckpoint(store, asked.resumeFrom);
    const mismatch = resumeMismatch(resume.meta, identity.kind, identity.model, identity.dataset);
    if (mismatch) throw new EngineError('resume-mismatch', mismatch);
    if (resume.meta.finished) throw new EngineError('resume-finished', 'That run finished: there is nothing left to resume.');
  }
  const config = resume ? resumedConfig(resume.meta.config as C, asked) : asked;
  if (resume) validateTrainConfig(config);
  const plan = resume ? resume.meta.plan : task.currentPlan();
  if (resume) task.checkPlan(plan);
  const recorder =
    store && checkpointsOn(config.checkpoint)
      ? new CheckpointRecorder(
          store,
          {
            version: 2,
            runId: resume?.meta.runId ?? newRunId(),
            kind: identity.kind,
            startedAt: resume?.meta.startedAt ?? Date.now(),
            config: { ...config, resumeFrom: undefined },
            plan,
            model: identity.model,
            dataset: identity.dataset,
          },
          emit,
          onFirstWrite,
        )
      : null;
  if (recorder && resume) recorder.lastSavedStep = resume.meta.step;
  return { config, plan, recorder, resume };
}
