import { describe, expect, it } from 'vitest';
import { PauseGate } from './pauseGate.ts';

/** Lets every pending microtask and one macrotask run. */
const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function track(p: Promise<void>): { done: boolean } {
  const state = { done: false };
  void p.then(() => {
    state.done = true;
  });
  return state;
}

describe('PauseGate', () => {
  it('wait() resolves at once when not paused', async () => {
    const gate = new PauseGate();
    expect(gate.paused).toBe(false);
    const w = track(gate.wait());
    await Promise.resolve(); // one microtask turn is enough
    expect(w.done).toBe(true);
  });

  it('holds waiters while paused and resume() releases all of them', async () => {
    const gate = new PauseGate();
    gate.pause();
    expect(gate.paused).toBe(true);
    const a = track(gate.wait());
    const b = track(gate.wait());
    await flush();
    expect([a.done, b.done]).toEqual([false, false]);
    gate.resume();
    expect(gate.paused).toBe(false);
    await flush();
    expect([a.done, b.done]).toEqual([true, true]);
  });

  it('pause twice is idempotent: one resume releases waiters from both', async () => {
    const gate = new PauseGate();
    gate.pause();
    const a = track(gate.wait());
    gate.pause();
    const b = track(gate.wait());
    gate.resume();
    await flush();
    expect([a.done, b.done]).toEqual([true, true]);
    expect(gate.paused).toBe(false);
  });

  it('can pause again after resuming, and resume when not paused is a no-op', async () => {
    const gate = new PauseGate();
    gate.resume();
    expect(gate.paused).toBe(false);
    gate.pause();
    gate.resume();
    gate.pause();
    const w = track(gate.wait());
    await flush();
    expect(w.done).toBe(false);
    gate.resume();
    await flush();
    expect(w.done).toBe(true);
  });

  it('pauses an async loop between steps', async () => {
    const gate = new PauseGate();
    let steps = 0;
    const loop = (async () => {
      for (let i = 0; i < 5; i++) {
        await gate.wait();
        steps += 1;
        await flush();
      }
    })();
    await flush();
    gate.pause();
    const atPause = steps;
    await flush();
    await flush();
    // at most the step already past wait() completes
    expect(steps).toBeLessThanOrEqual(atPause + 1);
    const held = steps;
    await flush();
    expect(steps).toBe(held);
    gate.resume();
    await loop;
    expect(steps).toBe(5);
  });
});
