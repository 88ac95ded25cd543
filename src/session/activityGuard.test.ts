import { describe, expect, it } from 'vitest';
import type { Activity } from '../api.ts';
import { ActivityGuard, conflictOf } from './activityGuard.ts';
import { errorOf, thrownBy } from '../testing/errorOf.ts';

const run = (task: Activity['task']): Activity => ({ kind: 'run', task, what: 'Training' });
const load = (task: Activity['task']): Activity => ({ kind: 'load', task, what: 'A model download' });

describe('which work may start while other work goes on', () => {
  it('refuses everything that changes state during a run, of every task', () => {
    for (const kind of ['load', 'import', 'export', 'change', 'switch', 'run', 'generate'] as const) {
      expect(conflictOf({ kind, task: 'lm' }, [run('classifier')])).toEqual(run('classifier'));
      expect(conflictOf({ kind, task: 'classifier' }, [run('classifier')])).toEqual(run('classifier'));
    }
  });

  it('lets a download of one task go on beside work of the other, but never beside a backend switch', () => {
    expect(conflictOf({ kind: 'import', task: 'classifier' }, [load('lm')])).toBeNull();
    expect(conflictOf({ kind: 'run', task: 'classifier' }, [load('lm')])).toBeNull();
    expect(conflictOf({ kind: 'import', task: 'lm' }, [load('lm')])).toEqual(load('lm'));
    expect(conflictOf({ kind: 'export', task: 'lm' }, [load('lm')])).toEqual(load('lm'));
    expect(conflictOf({ kind: 'switch', task: null }, [load('lm')])).toEqual(load('lm'));
    // The switch itself (task null) blocks every task.
    expect(conflictOf({ kind: 'import', task: 'classifier' }, [{ kind: 'load', task: null, what: 'The backend switch' }])).not.toBeNull();
  });

  it('never runs a generation and a run together', () => {
    const generating: Activity = { kind: 'generate', task: 'lm', what: 'A generation' };
    expect(conflictOf({ kind: 'run', task: 'classifier' }, [generating])).toEqual(generating);
    expect(conflictOf({ kind: 'import', task: 'classifier' }, [generating])).toBeNull();
  });

  it('says what is going and what to do, and frees the slot when the work ends or fails', async () => {
    const changes: (Activity | null)[] = [];
    const guard = new ActivityGuard((a) => changes.push(a));
    let release!: () => void;
    const slow = guard.exclusive(load('lm'), 'load another model', () => new Promise<void>((r) => (release = r)));
    const busy = thrownBy(() => guard.assertFree({ kind: 'switch', task: null }, 'switch the backend'));
    expect(busy.code).toBe('busy');
    expect(busy.message).toBe('A model download is still going: wait for it to finish to switch the backend.');
    expect((await errorOf(guard.exclusive(load('lm'), 'load another model', async () => 1))).code).toBe('busy');
    release();
    await slow;
    await expect(guard.exclusive(run('lm'), 'start another run', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await guard.exclusive(run('lm'), 'start another run', async () => 'free again')).toBe('free again');
    expect(changes.filter((c) => c === null)).toHaveLength(3);
  });

  it('stops and wakes a paused run, and only when one is going', async () => {
    const guard = new ActivityGuard();
    expect(guard.requestStop()).toBe(false);
    const seen: boolean[] = [];
    await guard.exclusive(run('classifier'), 'start another run', async () => {
      guard.gate.pause();
      const waiting = guard.gate.wait().then(() => seen.push(guard.stopping));
      expect(guard.runningTask()).toBe('classifier');
      expect(guard.requestStop()).toBe(true);
      await waiting;
    });
    expect(seen).toEqual([true]);
    expect(guard.runningTask()).toBeNull();
  });
});
