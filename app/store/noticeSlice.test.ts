import { beforeEach, describe, expect, it } from 'vitest';
import { resetStudioStore } from '../testing/studioFixtures.ts';
import { selectErrorCount, selectLatestError } from './selectors.ts';
import { studioStore } from './studioStore.ts';

describe('errors by place', () => {
  beforeEach(resetStudioStore);

  it('shows an error where its action is, not in the page banner, until that action succeeds', () => {
    const s = studioStore.getState();
    s.pushError({ title: 'Could not import "one"', message: 'one class only', code: 'dataset-too-small' }, 'classifier/data');
    s.pushError({ title: 'The engine could not start', message: 'no WASM', code: null });
    const st = studioStore.getState();
    expect(selectLatestError(st, 'classifier/data')?.message).toBe('one class only');
    expect(selectLatestError(st)?.title).toBe('The engine could not start');
    expect(selectErrorCount(st, 'classifier/try')).toBe(0);
    st.clearErrorsAt('classifier/data');
    expect(selectLatestError(studioStore.getState(), 'classifier/data')).toBeNull();
    expect(selectErrorCount(studioStore.getState())).toBe(1);
  });
});
