/**
 * Guards in one place: which work may start while other work is going. Every state-changing call of
 * the session goes through `exclusive` (or `assertFree` for instant changes such as a new plan).
 *
 * The rules, for every task alike:
 *   - during a run, nothing that changes state starts (predict still works: it reads the last run);
 *   - a backend switch waits for everything (it reloads every model on the new device);
 *   - a load, an import, an export or a generation blocks the other work of its own task (a download
 *     of a language model does not stop a CSV import, but it does stop a backend switch);
 *   - a generation and a run never overlap (stop() ends whichever is going).
 */
import type { Activity } from '../api.ts';
import { EngineError } from '../errors.ts';
import { PauseGate } from '../train/pauseGate.ts';

/** What a call is about to do: the activity it would start. `switch` is the backend switch. */
export type Request = { kind: Activity['kind'] | 'switch' | 'change'; task: Activity['task'] };

/** The activity that forbids `request`, if any. */
export function conflictOf(request: Request, active: readonly Activity[]): Activity | null {
  for (const a of active) {
    if (a.kind === 'run' || request.kind === 'switch' || a.task === null || request.task === null) return a;
    if (a.task === request.task) return a;
    if (request.kind === 'run' && a.kind === 'generate') return a;
  }
  return null;
}

function busyMessage(active: Activity, what: string): string {
  switch (active.kind) {
    case 'run':
      return `Training is running: stop it first to ${what}.`;
    case 'generate':
      return `A generation is running: stop it first to ${what}.`;
    case 'load':
      return `${active.what} is still going: wait for it to finish to ${what}.`;
    case 'import':
      return `${active.what} is still going: wait for it to finish to ${what}.`;
    case 'export':
      return `${active.what} is still being written: wait for it to finish to ${what}.`;
  }
}

export class ActivityGuard {
  private readonly active: Activity[] = [];
  private stopRequested = false;
  readonly gate = new PauseGate();

  constructor(private readonly onChange: (activity: Activity | null) => void = () => {}) {}

  /** Throws `busy` (with what is going and what to do) when `request` would break work in progress. */
  assertFree(request: Request, what: string): void {
    const conflict = conflictOf(request, this.active);
    if (conflict) throw new EngineError('busy', busyMessage(conflict, what));
  }

  /** Runs `work` as `activity`: refused as busy when it conflicts; stop() ends it when it is a run or a generation. */
  async exclusive<T>(activity: Activity, what: string, work: () => Promise<T>): Promise<T> {
    this.assertFree(activity, what);
    this.active.push(activity);
    if (activity.kind === 'run' || activity.kind === 'generate') this.stopRequested = false;
    this.onChange(activity);
    try {
      return await work();
    } finally {
      this.active.splice(this.active.indexOf(activity), 1);
      if (activity.kind === 'run' || activity.kind === 'generate') this.gate.resume();
      this.onChange(this.active.at(-1) ?? null);
    }
  }

  /** A run or a generation is going (what stop, pause and the GPU fault handler act on). */
  get running(): boolean {
    return this.active.some((a) => a.kind === 'run' || a.kind === 'generate');
  }

  /** The task of the run (or generation) going now, if any. */
  runningTask(): Activity['task'] {
    return this.active.find((a) => a.kind === 'run' || a.kind === 'generate')?.task ?? null;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Asks the run or generation to end after its current step; true when there was one. */
  requestStop(): boolean {
    if (!this.running) return false;
    this.stopRequested = true;
    // A paused run must wake up to see the stop.
    this.gate.resume();
    return true;
  }

  /** Ends everything: the session is going away. */
  shutDown(): void {
    this.stopRequested = true;
    this.gate.resume();
  }
}
