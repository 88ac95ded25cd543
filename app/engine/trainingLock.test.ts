import { describe, expect, it } from 'vitest';
import { TrainingElsewhereError, trainingLockHeld, withTrainingLock, type Locks } from './trainingLock.ts';

/** A LockManager shared by "tabs", with ifAvailable semantics. */
function fakeLocks(): Locks {
  const held = new Set<string>();
  return {
    async request(name, { ifAvailable }, callback) {
      if (held.has(name)) {
        if (ifAvailable) return callback(null);
        throw new Error('would wait');
      }
      held.add(name);
      try {
        return await callback({ name });
      } finally {
        held.delete(name);
      }
    },
    query: async () => ({ held: [...held].map((name) => ({ name })) }),
  };
}

describe('withTrainingLock', () => {
  it('runs one run at a time across tabs and refuses the second at once', async () => {
    const locks = fakeLocks();
    let release!: () => void;
    const first = withTrainingLock(() => new Promise<string>((r) => (release = () => r('done'))), locks);
    await Promise.resolve();
    expect(await trainingLockHeld(locks)).toBe(true);
    let ran = false;
    await expect(
      withTrainingLock(async () => {
        ran = true;
      }, locks),
    ).rejects.toBeInstanceOf(TrainingElsewhereError);
    expect(ran).toBe(false);
    release();
    expect(await first).toBe('done');
    expect(await trainingLockHeld(locks)).toBe(false);
    expect(await withTrainingLock(async () => 42, locks)).toBe(42);
  });

  it('runs without Web Locks, and releases the lock when the run fails', async () => {
    expect(await withTrainingLock(async () => 'ok', null)).toBe('ok');
    const locks = fakeLocks();
    await expect(withTrainingLock(() => Promise.reject(new Error('boom')), locks)).rejects.toThrow('boom');
    expect(await trainingLockHeld(locks)).toBe(false);
  });
});
