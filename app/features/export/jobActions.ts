import type { DatasetFile } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { lmPlanShape, planKey, syncLmPlan } from '../plan/lmPlanSync.ts';
import { bytesBlob, downloadBlob } from './download.ts';

const get = () => studioStore.getState();

/** "Run on a cluster": the model, data split, plan and settings as an Accelerate + PEFT job folder, downloaded as a zip. Never rejects. */
export async function downloadClusterJob({ engine }: Pick<EngineHandle, 'engine'>): Promise<string[] | null> {
  // The plan's debounced sync may not have gone out yet (a preset clicked just before): the job
  // must carry the plan the table shows, as a run does.
  if (!(await syncLmPlan({ engine }))) {
    const planError = get().lm.plan.error;
    if (planError) get().pushError({ title: 'Could not export the job', message: planError, code: null });
    return null;
  }
  try {
    const job = await engine.lmExportJob(get().runs.lm.config);
    downloadBlob(bytesBlob(job.zip, 'application/zip'), `${job.name}.zip`);
    return Object.keys(job.files);
  } catch (error) {
    get().pushError(describeError('Could not export the job', error));
    return null;
  }
}

/** Takes a job's output folder back: its adapter is applied and its loss history drawn. Never rejects. */
export async function importJobOutput({ engine }: Pick<EngineHandle, 'engine'>, files: DatasetFile[]): Promise<boolean> {
  if (files.length === 0) return false;
  try {
    const back = await engine.lmImportJob(files);
    const s = get();
    // As an imported adapter: the engine holds its plan, so no lmSetPlan (it would replace the weights).
    s.setLmImportedAdapter(back.plan, back.validationLoss, planKey(back.plan, lmPlanShape(s)));
    s.setImportedLmRun(back.history.steps, back.history.evals, {
      task: 'lm',
      state: 'done',
      stoppedEarly: false,
      steps: back.steps,
      finalLoss: back.finalLoss,
      evals: back.history.evals,
      baseValidationLoss: Number.NaN,
    });
    s.pushNotice(`Job output imported: ${back.steps} steps on ${back.worldSize} processes, final loss ${back.finalLoss.toFixed(4)}.`);
    return true;
  } catch (error) {
    get().pushError(describeError("Could not import the job's output", error));
    return false;
  }
}
