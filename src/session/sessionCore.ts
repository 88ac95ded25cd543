/**
 * The session's core (session.ts adds the tasks' calls on top): one Session owns what every run shares — the backend and its device faults, the
 * guards (activityGuard.ts), checkpoints, the event stream and the one training loop — and routes
 * each call to its task (the classifier or the causal LM). Plain TypeScript over TF.js: the same
 * class runs in the studio's Worker (behind client.ts) and in Node (tests, the command line).
 */
import type {
  Activity,
  BackendChoice,
  BackendReport,
  EngineEvent,
  RunResultOf,
  SavedRun,
  SessionApi,
  TaskKind,
  TrainConfig,
  TrainedRunInfo,
} from '../api.ts';
import { explainKernelError } from '../backend/explainKernelError.ts';
import { explainOutOfMemory } from '../backend/explainOutOfMemory.ts';
import { GpuFaults } from '../backend/gpuFaults.ts';
import { startBackend } from '../backend/startBackend.ts';
import { setWasmPoolThreads } from '../backend/wasmThreads.ts';
import type { ImageDecoder } from '../data/decodeImage.ts';
import { requestPersistentStorage, type CheckpointStore } from '../storage/checkpointStore.ts';
import { ClassifierTask } from '../tasks/classifierTask.ts';
import { LmTask } from '../tasks/lmTask.ts';
import { tf } from '../tf.ts';
import { runTrainLoop } from '../train/trainLoop.ts';
import { namedRun, resumedRunOf } from '../train/checkpoint.ts';
import { ActivityGuard, type Request } from './activityGuard.ts';
import { prepareCheckpoints } from './runCheckpoints.ts';
import type { Task } from './task.ts';

export interface SessionPlatform {
  decodeImage: ImageDecoder;
  fetch?: typeof fetch;
  /** Where training checkpoints go (IndexedDB in the Worker, memory in tests); absent: none are saved. */
  checkpoints?: CheckpointStore;
}

type AnyTask = Task<TrainConfig, RunResultOf<TrainConfig>>;

export class SessionCore implements Pick<SessionApi, 'setBackend' | 'train' | 'stop' | 'pause' | 'resume' | 'listCheckpoints' | 'deleteCheckpoint' | 'subscribe' | 'dispose'> {
  private backend: BackendReport | null = null;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  readonly guard: ActivityGuard;
  /** Device loss and uncaptured GPU errors, explained to the user; a lost device is replaced once. */
  private readonly gpu: GpuFaults;
  readonly classifier: ClassifierTask;
  readonly lm: LmTask;
  private readonly tasks: Record<TaskKind, AnyTask>;
  private readonly sentRunInfo = new Map<TaskKind, string>();
  private persistRequested = false;

  constructor(
    private readonly platform: SessionPlatform,
    emit?: (event: EngineEvent) => void,
  ) {
    if (emit) this.listeners.add(emit);
    this.guard = new ActivityGuard((activity) => this.emit({ type: 'activity', activity }));
    this.gpu = new GpuFaults({
      emit: (e) => this.emit(e),
      isRunning: () => this.guard.running,
      stopRun: () => void this.guard.requestStop(),
      restart: () => this.setBackend('webgpu'),
    });
    const context = { emit: (e: EngineEvent) => this.emit(e), fetch: platform.fetch, shouldStop: () => this.guard.stopping, backendName: () => this.backendName() };
    this.classifier = new ClassifierTask(context, platform.decodeImage);
    this.lm = new LmTask(context);
    this.tasks = { classifier: this.classifier as unknown as AnyTask, lm: this.lm as unknown as AnyTask };
  }

  readonly emit = (event: EngineEvent): void => {
    for (const listener of this.listeners) listener(event);
  };

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Refuses `request` when it would break work in progress (see activityGuard.ts). */
  assertFree(request: Request, what: string): void {
    this.guard.assertFree(request, what);
  }

  /**
   * Runs one piece of state-changing work of a task under the guard, explains kernel failures and
   * running out of memory, and then tells the UI the truth about the task's trained run if it changed.
   */
  async work<T>(activity: Activity, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.guard.exclusive(activity, what, fn);
    } catch (e) {
      throw explainOutOfMemory(explainKernelError(e), this.backendName());
    } finally {
      this.publishTrainedRuns();
    }
  }

  /**
   * Starts the backend the first time a model is loaded. A language model's products run on our
   * GEMM's threads, so WASM then keeps XNNPACK's pool to one thread (setWasmPoolThreads); a later
   * model of the other kind keeps the pool the backend started with.
   */
  async ensureBackend(workload: TaskKind = 'classifier'): Promise<void> {
    if (this.backend) return;
    setWasmPoolThreads(workload === 'lm' ? 1 : undefined);
    await this.switchBackend('auto');
  }

  /** Sends a `trainedRun` event for each task whose trained run changed since the last one sent. */
  publishTrainedRuns(): void {
    for (const task of Object.values(this.tasks)) {
      const info: TrainedRunInfo = task.trainedRunInfo();
      const key = JSON.stringify(info);
      if (this.sentRunInfo.get(info.task) === key) continue;
      this.sentRunInfo.set(info.task, key);
      this.emit({ type: 'trainedRun', info });
    }
  }

  setBackend(choice: BackendChoice): Promise<BackendReport> {
    return this.work({ kind: 'load', task: null, what: 'The backend switch' }, 'switch the backend', () => this.switchBackend(choice));
  }

  /** Tensors live on their backend: every task keeps its state as plain values, then rebuilds it on the new one. */
  private async switchBackend(choice: BackendChoice): Promise<BackendReport> {
    const lost = this.gpu.lost;
    const saved = new Map<AnyTask, unknown>();
    for (const task of Object.values(this.tasks)) saved.set(task, await task.save(lost));
    const report = await startBackend(choice, this.gpu.watch);
    for (const [task, state] of saved) await task.restore(state);
    this.backend = report;
    this.gpu.cleared();
    this.emit({ type: 'backend', report });
    return report;
  }

  /** The backend's name for a run's records ("webgpu", "wasm"). */
  backendName(): string {
    return this.backend?.name ?? tf.getBackend();
  }

  train<C extends TrainConfig>(asked: C): Promise<RunResultOf<C>> {
    const kind: TaskKind = asked.task === 'lm' ? 'lm' : 'classifier';
    const task = this.tasks[kind];
    return this.work({ kind: 'run', task: kind, what: 'Training' }, 'start another run', async () => {
      // Resume, validation and the checkpoint recorder, the same for every task (runCheckpoints.ts).
      const { config, plan, recorder, resume } = await prepareCheckpoints(asked, task, this.platform.checkpoints, (e) => this.emit(e), () => this.requestPersistence());
      this.emit({ type: 'runStarted', task: kind, runId: recorder?.runId ?? null, resumed: resume ? resumedRunOf(resume) : null });
      this.emit({ type: 'runState', task: kind, state: 'preparing' });
      try {
        const prepared = await task.prepareRun(config, plan);
        try {
          this.emit({ type: 'runState', task: kind, state: 'training' });
          if (resume) this.emit({ type: 'log', level: 'info', message: `Resuming run ${resume.meta.runId} at step ${resume.meta.step} of ${resume.meta.totalSteps}.` });
          const outcome = await runTrainLoop(prepared.spec, config, {
            onStep: (point, totalSteps, elapsedMs) => this.emit({ type: 'step', task: kind, point, totalSteps, elapsedMs }),
            onEval: (point) => this.emit({ type: 'eval', task: kind, point }),
            shouldStop: () => this.guard.stopping,
            waitIfPaused: () => this.guard.gate.wait(),
            onLog: (message, level = 'info') => this.emit({ type: 'log', level, message }),
            checkpoint: config.checkpoint,
            onCheckpoint: recorder ? async (state, final) => void (await recorder.write(state, final === 'done')) : undefined,
            resumeState: resume?.state,
          });
          const result = await prepared.finish(outcome, this.guard.stopping);
          this.emit({ type: 'runState', task: kind, state: result.state });
          return { ...result, ...(recorder && recorder.lastSavedStep !== null ? { runId: recorder.runId } : {}) } as RunResultOf<C>;
        } finally {
          prepared.dispose();
        }
      } catch (e) {
        this.emit({ type: 'runState', task: kind, state: 'error' });
        throw e;
      }
    });
  }

  /** The first saved checkpoint asks the browser to keep this origin's storage (best effort, once). */
  private requestPersistence(): void {
    if (this.persistRequested) return;
    this.persistRequested = true;
    void requestPersistentStorage();
  }

  async stop(): Promise<void> {
    const runTask = this.runningTask();
    if (this.guard.requestStop() && runTask) this.emit({ type: 'runState', task: runTask, state: 'stopping' });
  }

  async pause(): Promise<void> {
    const runTask = this.runningTask();
    if (!runTask || this.guard.stopping || this.guard.gate.paused) return;
    this.guard.gate.pause();
    this.emit({ type: 'runState', task: runTask, state: 'paused' });
  }

  async resume(): Promise<void> {
    if (!this.guard.gate.paused) return;
    this.guard.gate.resume();
    const runTask = this.runningTask();
    if (runTask && !this.guard.stopping) this.emit({ type: 'runState', task: runTask, state: 'training' });
  }

  private runningTask(): TaskKind | null {
    return this.guard.runningTask();
  }

  async listCheckpoints(): Promise<SavedRun[]> {
    return ((await this.platform.checkpoints?.list()) ?? []).map(namedRun);
  }

  async deleteCheckpoint(runId: string): Promise<void> {
    await this.platform.checkpoints?.delete(runId);
  }

  dispose(): void {
    this.guard.shutDown();
    for (const task of Object.values(this.tasks)) task.dispose();
    this.listeners.clear();
  }
}
