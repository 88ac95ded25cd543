import { describe, expect, it, vi } from 'vitest';
import type { EngineEvent, StepPoint } from '../../src/index.ts';
import { createStudioStore } from '../store/studioStore.ts';
import { connectBridge, createEventCoalescer, scheduleAnimationFrame, type ScheduleFrame } from './bridge.ts';

/** A scheduler the test drives by hand: `frame()` runs what is pending, like one animation frame. */
function manualFrames() {
  let pending: (() => void) | null = null;
  let scheduled = 0;
  const schedule: ScheduleFrame = (cb) => {
    scheduled += 1;
    pending = cb;
    return () => {
      if (pending === cb) pending = null;
    };
  };
  return {
    schedule,
    frame: () => {
      const cb = pending;
      pending = null;
      cb?.();
    },
    get scheduled() {
      return scheduled;
    },
    get pending() {
      return pending !== null;
    },
  };
}

function fakeEngine() {
  const listeners = new Set<(e: EngineEvent) => void>();
  return {
    subscribe(listener: (e: EngineEvent) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit: (e: EngineEvent) => listeners.forEach((l) => l(e)),
    get listenerCount() {
      return listeners.size;
    },
  };
}

const step = (n: number, loss = 1 / n): EngineEvent => ({
  type: 'step',
  task: 'classifier',
  point: { step: n, epoch: 1, loss, learningRate: 0.01 },
  totalSteps: 1000,
  elapsedMs: n * 2,
});

describe('createEventCoalescer', () => {
  it('delivers many events as one batch per frame, in order', () => {
    const frames = manualFrames();
    const batches: number[][] = [];
    const c = createEventCoalescer<number>(frames.schedule, (b) => batches.push(b));
    for (let i = 0; i < 500; i++) c.push(i);
    expect(batches).toEqual([]);
    expect(frames.scheduled).toBe(1); // one frame requested, not 500
    frames.frame();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual(Array.from({ length: 500 }, (_, i) => i));
    c.push(500);
    frames.frame();
    expect(batches).toEqual([batches[0], [500]]);
    expect(frames.scheduled).toBe(2);
  });

  it('flush() delivers now and cancels the pending frame', () => {
    const frames = manualFrames();
    const batches: string[][] = [];
    const c = createEventCoalescer<string>(frames.schedule, (b) => batches.push(b));
    c.push('a');
    c.push('b');
    c.flush();
    expect(batches).toEqual([['a', 'b']]);
    expect(frames.pending).toBe(false);
    c.flush(); // nothing buffered: no empty batch
    expect(batches).toHaveLength(1);
  });

  it('drops everything after dispose()', () => {
    const frames = manualFrames();
    const onBatch = vi.fn();
    const c = createEventCoalescer<number>(frames.schedule, onBatch);
    c.push(1);
    c.dispose();
    c.push(2);
    frames.frame();
    c.flush();
    expect(onBatch).not.toHaveBeenCalled();
  });
});

describe('scheduleAnimationFrame', () => {
  it('falls back to a timer when no animation frame comes (node, hidden tabs)', async () => {
    vi.useFakeTimers();
    try {
      const cb = vi.fn();
      scheduleAnimationFrame(cb);
      await vi.advanceTimersByTimeAsync(1000);
      expect(cb).toHaveBeenCalledTimes(1);
      const cancelled = vi.fn();
      scheduleAnimationFrame(cancelled)();
      await vi.advanceTimersByTimeAsync(1000);
      expect(cancelled).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('connectBridge', () => {
  it('turns a burst of step events into a single store update per frame', () => {
    const store = createStudioStore();
    const engine = fakeEngine();
    const frames = manualFrames();
    connectBridge(engine, store, frames.schedule);
    const updates = vi.fn();
    store.subscribe(updates);

    engine.emit({ type: 'runState', task: 'classifier', state: 'training' });
    for (let n = 1; n <= 300; n++) engine.emit(step(n));
    engine.emit({ type: 'eval', task: 'classifier', point: { epoch: 1, step: 300, validationLoss: 0.5, validationAccuracy: 0.8, trainLoss: 0.6 } });
    expect(updates).not.toHaveBeenCalled();

    frames.frame();
    expect(updates).toHaveBeenCalledTimes(1);
    const t = store.getState().runs.classifier;
    expect(t.runState).toBe('training');
    expect(t.steps).toHaveLength(300);
    expect(t.steps.map((p: StepPoint) => p.step)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(t.evals).toHaveLength(1);
    expect(t.totalSteps).toBe(1000);
    expect(t.timing).toEqual({ firstStepsDone: 1, firstElapsedMs: 2, lastStepsDone: 300, lastElapsedMs: 600 });
  });

  it('keeps the arrays of earlier frames untouched (snapshots are immutable)', () => {
    const store = createStudioStore();
    const engine = fakeEngine();
    const frames = manualFrames();
    connectBridge(engine, store, frames.schedule);
    engine.emit(step(1));
    frames.frame();
    const before = store.getState().runs.classifier.steps;
    engine.emit(step(2));
    frames.frame();
    expect(before).toHaveLength(1);
    expect(store.getState().runs.classifier.steps).toHaveLength(2);
  });

  it('routes warnings to notices and unsubscribes on dispose', () => {
    const store = createStudioStore();
    const engine = fakeEngine();
    const frames = manualFrames();
    const bridge = connectBridge(engine, store, frames.schedule);
    engine.emit({ type: 'log', level: 'warn', message: 'WebGPU is software-only here.' });
    engine.emit({ type: 'log', level: 'info', message: 'just chatter' });
    bridge.flush();
    expect(store.getState().notice.notices.map((n) => n.message)).toEqual(['WebGPU is software-only here.']);
    bridge.dispose();
    expect(engine.listenerCount).toBe(0);
  });
});
