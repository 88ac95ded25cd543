import { expect } from 'vitest';
import { EngineError } from '../errors.ts';

/** Awaits a promise that must reject with an EngineError, and returns that error for its message and code. */
export async function errorOf(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

/** Runs `fn`, which must throw an EngineError, and returns that error (the synchronous twin of errorOf). */
export function thrownBy(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected an EngineError, but nothing was thrown');
}
