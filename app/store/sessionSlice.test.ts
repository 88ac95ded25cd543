import { describe, expect, it } from 'vitest';
import { createStudioStore } from './studioStore.ts';

describe('session tickets', () => {
  it('only the newest ticket of a kind is latest; kinds are independent', () => {
    const s = createStudioStore().getState();
    const a = s.nextTicket('plan');
    const b = s.nextTicket('plan');
    const other = s.nextTicket('predict');
    expect(s.isLatestTicket('plan', a)).toBe(false);
    expect(s.isLatestTicket('plan', b)).toBe(true);
    expect(s.isLatestTicket('predict', other)).toBe(true);
  });

  it('request ids are distinct and increasing, and each store counts its own', () => {
    const s = createStudioStore().getState();
    expect([s.nextRequestId(), s.nextRequestId(), s.nextRequestId()]).toEqual([1, 2, 3]);
    expect(createStudioStore().getState().nextRequestId()).toBe(1);
  });

  it('notices and errors get distinct ids from the store', () => {
    const store = createStudioStore();
    store.getState().pushError({ title: 'a', message: 'x', code: null });
    store.getState().pushNotice('n');
    const { errors, notices } = store.getState().notice;
    expect(errors[0]!.id).not.toBe(notices[0]!.id);
  });
});
