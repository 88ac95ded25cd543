import type { StateCreator } from 'zustand';
import type { NoticeSlice, StudioState } from './types.ts';

/** Older messages beyond these are dropped: a banner wall helps nobody. */
const MAX_ERRORS = 5;
const MAX_NOTICES = 3;

let nextId = 1;

export const createNoticeSlice: StateCreator<StudioState, [], [], NoticeSlice> = (set) => ({
  notice: { errors: [], notices: [] },
  pushError: (error) =>
    set((s) => {
      // The same failure repeated (e.g. a re-import on every keystroke) is shown once.
      const rest = s.notice.errors.filter((e) => e.title !== error.title || e.message !== error.message);
      return { notice: { ...s.notice, errors: [...rest, { ...error, id: nextId++ }].slice(-MAX_ERRORS) } };
    }),
  dismissError: (id) => set((s) => ({ notice: { ...s.notice, errors: s.notice.errors.filter((e) => e.id !== id) } })),
  pushNotice: (message) =>
    set((s) => {
      const rest = s.notice.notices.filter((n) => n.message !== message);
      return { notice: { ...s.notice, notices: [...rest, { id: nextId++, message }].slice(-MAX_NOTICES) } };
    }),
  dismissNotice: (id) =>
    set((s) => ({ notice: { ...s.notice, notices: s.notice.notices.filter((n) => n.id !== id) } })),
});
