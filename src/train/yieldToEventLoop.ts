/**
 * Gives the worker's event loop a turn between training steps, so a Stop message (or a predict call)
 * is handled promptly even on backends whose readbacks resolve as microtasks (WASM, CPU).
 * setTimeout(0) would be clamped to 4 ms after a few nested calls; a MessageChannel post is not.
 */
let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => void };
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return new Promise((resolve) => setImmediate(resolve));
  }
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  const port = channel.port2;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(0);
  });
}
