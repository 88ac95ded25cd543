/**
 * Taking a job's output folder back: output/adapter/ (PEFT) is applied as an imported adapter, and
 * trainer_state.json's log_history becomes the run's loss history (steps and evaluations) so the
 * chart draws it. A folder that is not a job's output is refused naming the file it lacks.
 */
import type { DatasetFile, EvalPoint, LmJobImport, StepPoint } from '../api.ts';
import { EngineError } from '../errors.ts';
import { importAdapter } from '../tasks/lmTry.ts';
import type { LmTask } from '../tasks/lmTask.ts';

/** What a job's output folder holds (paths inside output/). */
export const JOB_OUTPUT_FILES = ['adapter/adapter_config.json', 'adapter/adapter_model.safetensors', 'trainer_state.json', 'job_result.json'] as const;

/** The files by their path inside the output folder, whatever folders the drop put around it. */
function outputFiles(files: DatasetFile[]): Map<string, DatasetFile> {
  const found = new Map<string, DatasetFile>();
  for (const want of JOB_OUTPUT_FILES) {
    // The shortest path that ends with the file: output/trainer_state.json, not output/adapter/../.
    const matches = files.filter((f) => `/${f.path}`.endsWith(`/${want}`)).sort((a, b) => a.path.length - b.path.length);
    if (matches[0]) found.set(want, matches[0]);
  }
  return found;
}

async function readJson(file: DatasetFile): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(await file.file.text());
  } catch (e) {
    throw new EngineError('job-output-invalid', `${file.path} is not valid JSON (${(e as Error).message}); take the file the job wrote.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EngineError('job-output-invalid', `${file.path} is not a JSON object; take the file the job wrote.`);
  return value as Record<string, unknown>;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Steps and evaluations from transformers' log_history ({loss, learning_rate, step} and {eval_loss, step}). */
export function historyFromTrainerState(state: Record<string, unknown>, where: string): { steps: StepPoint[]; evals: EvalPoint[] } {
  const log = state.log_history;
  if (!Array.isArray(log)) throw new EngineError('job-output-invalid', `${where} has no log_history list; take the trainer_state.json the job wrote.`);
  const steps: StepPoint[] = [];
  const evals: EvalPoint[] = [];
  log.forEach((entry: Record<string, unknown>, i) => {
    if (entry === null || typeof entry !== 'object' || !finite(entry.step)) throw new EngineError('job-output-invalid', `${where}: log_history entry ${i} has no step number.`);
    // A dpo job logs TRL's metrics beside the loss (rewards/margins, eval_rewards/accuracies, ...).
    const metrics = (prefix: string) => {
      const m = Object.fromEntries(Object.entries(entry).filter(([k, v]) => /^(eval_)?(rewards|logps)\//.test(k) && k.startsWith(prefix) && finite(v)).map(([k, v]) => [k.slice(prefix.length), v as number]));
      return Object.keys(m).length > 0 ? { metrics: m } : {};
    };
    if (finite(entry.loss)) steps.push({ step: entry.step, loss: entry.loss, learningRate: finite(entry.learning_rate) ? entry.learning_rate : 0, ...metrics('') });
    if (finite(entry.eval_loss)) evals.push({ step: entry.step, validationLoss: entry.eval_loss, ...metrics('eval_') });
  });
  return { steps, evals };
}

export async function importJobOutput(task: LmTask, files: DatasetFile[]): Promise<LmJobImport> {
  task.requireModel();
  const found = outputFiles(files);
  const missing = JOB_OUTPUT_FILES.filter((f) => !found.has(f));
  if (missing.length > 0) {
    throw new EngineError(
      'job-output-missing',
      `This is not a job's output folder: ${missing.map((m) => `output/${m}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. Drop the output/ folder that train.py wrote (it holds adapter/, trainer_state.json and job_result.json).`,
    );
  }
  const state = found.get('trainer_state.json')!;
  const resultFile = found.get('job_result.json')!;
  const result = await readJson(resultFile);
  for (const key of ['world_size', 'steps', 'final_loss'] as const) {
    if (!finite(result[key])) throw new EngineError('job-output-invalid', `${resultFile.path} has no number "${key}"; take the job_result.json the job wrote.`);
  }
  const history = historyFromTrainerState(await readJson(state), state.path);
  // Checked before the adapter is applied: a bad folder leaves the loaded adapter as it was.
  const { plan, validationLoss } = await importAdapter(task, [found.get('adapter/adapter_config.json')!, found.get('adapter/adapter_model.safetensors')!]);
  return {
    plan,
    validationLoss,
    history,
    worldSize: result.world_size as number,
    steps: result.steps as number,
    finalLoss: result.final_loss as number,
  };
}
