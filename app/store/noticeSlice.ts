import type { StateCreator } from 'zustand';
import type { TaskKind } from '../../src/index.ts';
import type { StudioState } from './state.ts';

/** Where the action that failed sits: a step of a task's flow, or the whole page (startup, backend, another tab). */
export type NoticeArea = 'model' | 'data' | 'plan' | 'train' | 'try' | 'export';
export type NoticePlace = 'page' | `${TaskKind}/${NoticeArea}`;

export interface UiError {
  id: number;
  /** What the studio was doing, e.g. "Could not import the dataset". */
  title: string;
  /** The engine's sentence for a person (never a stack trace). */
  message: string;
  code: string | null;
  /** Shown beside the action that failed (a global banner only for 'page'). */
  place: NoticePlace;
}

export interface UiNotice {
  id: number;
  message: string;
}

export interface NoticeState {
  errors: UiError[];
  notices: UiNotice[];
  /** The id the next error or notice gets. */
  nextId: number;
}

export interface NoticeSlice {
  notice: NoticeState;
  /** An error, shown where the action happened (`place`, default the page banner). */
  pushError: (error: Omit<UiError, 'id' | 'place'>, place?: NoticePlace) => void;
  dismissError: (id: number) => void;
  /** The action at `place` succeeded: its old errors no longer apply. */
  clearErrorsAt: (place: NoticePlace) => void;
  pushNotice: (message: string) => void;
  dismissNotice: (id: number) => void;
}

/** Older messages beyond these are dropped: a banner wall helps nobody. */
const MAX_ERRORS = 5;
const MAX_NOTICES = 3;

export const createNoticeSlice: StateCreator<StudioState, [], [], NoticeSlice> = (set) => ({
  notice: { errors: [], notices: [], nextId: 1 },
  pushError: (error, place = 'page') =>
    set((s) => {
      // The same failure repeated (e.g. a re-import on every keystroke) is shown once.
      const rest = s.notice.errors.filter((e) => e.title !== error.title || e.message !== error.message);
      const id = s.notice.nextId;
      return { notice: { ...s.notice, errors: [...rest, { ...error, place, id }].slice(-MAX_ERRORS), nextId: id + 1 } };
    }),
  dismissError: (id) => set((s) => ({ notice: { ...s.notice, errors: s.notice.errors.filter((e) => e.id !== id) } })),
  clearErrorsAt: (place) =>
    set((s) => (s.notice.errors.some((e) => e.place === place) ? { notice: { ...s.notice, errors: s.notice.errors.filter((e) => e.place !== place) } } : s)),
  pushNotice: (message) =>
    set((s) => {
      const rest = s.notice.notices.filter((n) => n.message !== message);
      const id = s.notice.nextId;
      return { notice: { ...s.notice, notices: [...rest, { id, message }].slice(-MAX_NOTICES), nextId: id + 1 } };
    }),
  dismissNotice: (id) => set((s) => ({ notice: { ...s.notice, notices: s.notice.notices.filter((n) => n.id !== id) } })),
});
