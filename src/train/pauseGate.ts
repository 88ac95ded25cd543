/**
 * An awaitable pause switch for an async loop: the loop awaits `wait()` between steps; while the
 * gate is paused that promise stays pending, and `resume()` releases every waiter at once.
 * To stop a paused run, resume the gate after requesting the stop, or the loop never sees it.
 */
export class PauseGate {
  private gate: { promise: Promise<void>; release: () => void } | null = null;

  get paused(): boolean {
    return this.gate !== null;
  }

  /** Idempotent: pausing a paused gate keeps the same pending promise. */
  pause(): void {
    if (this.gate) return;
    let release!: () => void;
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.gate = { promise, release };
  }

  /** Releases all current waiters; a no-op when not paused. */
  resume(): void {
    const gate = this.gate;
    this.gate = null;
    gate?.release();
  }

  /** Resolves immediately (an already-resolved promise) when not paused, else on the next resume(). */
  wait(): Promise<void> {
    return this.gate ? this.gate.promise : Promise.resolve();
  }
}
