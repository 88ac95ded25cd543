/**
 * One run trains in one tab: every run holds the Web Lock "tabtune-training" while it goes. Two tabs
 * on one GPU would halve each other's speed and race for the same checkpoints; a second tab is told
 * where the run is instead. Browsers without Web Locks (none current) simply run.
 */
export const TRAINING_LOCK = 'tabtune-training';

/** The slice of LockManager used here, so tests can pass a fake. */
export interface Locks {
  request<T>(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<T>): Promise<T>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

export function browserLocks(): Locks | null {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? (locks as unknown as Locks) : null;
}

export class TrainingElsewhereError extends Error {
  readonly code = 'busy-other-tab';
  constructor() {
    super('A run is training in another Tabtune tab. Let it finish (or stop it there), then train here.');
    this.name = 'TrainingElsewhereError';
  }
}

/**
 * Runs `work` holding the training lock; rejects with TrainingElsewhereError at once (without running
 * `work`) when another tab holds it.
 */
export async function withTrainingLock<T>(work: () => Promise<T>, locks: Locks | null = browserLocks()): Promise<T> {
  if (!locks) return work();
  let ran = false;
  const result = await locks.request(TRAINING_LOCK, { ifAvailable: true }, async (lock) => {
    if (lock === null) return undefined;
    ran = true;
    return work();
  });
  if (!ran) throw new TrainingElsewhereError();
  return result as T;
}

/** Whether some tab (this one included) holds the training lock now. */
export async function trainingLockHeld(locks: Locks | null = browserLocks()): Promise<boolean> {
  if (!locks) return false;
  const state = await locks.query();
  return (state.held ?? []).some((l) => l.name === TRAINING_LOCK);
}
