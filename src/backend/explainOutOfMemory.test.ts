import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors.ts';
import { explainOutOfMemory } from './explainOutOfMemory.ts';

describe('explainOutOfMemory', () => {
  it.each(['Aborted(). Build with -sASSERTIONS for more info.', 'memory access out of bounds', 'RangeError: Array buffer allocation failed'])('turns "%s" into one sentence with what to lower', (raw) => {
    const e = explainOutOfMemory(new Error(raw), 'wasm') as EngineError;
    expect(e).toBeInstanceOf(EngineError);
    expect(e.code).toBe('out-of-memory');
    expect(e.message).toMatch(/^The wasm backend ran out of memory \(its heap stops at 4\.29 GB\): lower the batch size or the maximum length, or turn on gradient checkpointing\./);
    expect(e.message).not.toMatch(/Aborted/);
  });

  it('leaves other errors, and engine errors that already explain themselves, as they are', () => {
    const other = new Error('shapes do not match');
    expect(explainOutOfMemory(other, 'wasm')).toBe(other);
    const explained = new EngineError('out-of-memory', 'This run needs about 5 GB (out of memory)');
    expect(explainOutOfMemory(explained, 'wasm')).toBe(explained);
  });
});
