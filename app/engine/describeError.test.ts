import { describe, expect, it } from 'vitest';
import { describeError } from './describeError.ts';

describe('describeError', () => {
  it("keeps an engine error's sentence and code", () => {
    const error = Object.assign(new Error('Training is running: stop it first to switch the backend.'), { code: 'busy' });
    expect(describeError('Could not switch', error)).toEqual({
      title: 'Could not switch',
      message: 'Training is running: stop it first to switch the backend.',
      code: 'busy',
    });
  });

  it('never shows a stack trace, only the first line', () => {
    const error = { message: 'Bad thing happened\n    at foo (file.js:1:2)\n    at bar' };
    expect(describeError('x', error).message).toBe('Bad thing happened');
  });

  it('falls back to a generic sentence for empty or odd rejections', () => {
    for (const value of [undefined, null, 42, new Error(''), {}]) {
      const { message, code } = describeError('x', value);
      expect(message).toMatch(/Something unexpected went wrong/);
      expect(code).toBeNull();
    }
    expect(describeError('x', 'plain string').message).toBe('plain string');
  });
});
