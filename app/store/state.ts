import type { BackendSlice } from './backendSlice.ts';
import type { CheckpointSlice } from './checkpointSlice.ts';
import type { DatasetSlice } from './datasetSlice.ts';
import type { GenerationSlice } from './generationSlice.ts';
import type { LmSlice } from './lmSlice.ts';
import type { ModelSlice } from './modelSlice.ts';
import type { NoticeSlice } from './noticeSlice.ts';
import type { PlanSlice } from './planSlice.ts';
import type { PreferenceSlice } from './preferenceSlice.ts';
import type { RunSlice } from './runSlice.ts';
import type { SessionSlice } from './sessionSlice.ts';
import type { TryItSlice } from './tryItSlice.ts';

/**
 * The studio's state: plain, structured-cloneable snapshots only. The engine, its Worker, Blobs and
 * tensors live elsewhere (the engine handle's PageHold keeps the Blobs); the store only ever holds
 * what the engine reported and what the user typed. One slice per file, each with its own types.
 */
export type StudioState = BackendSlice &
  SessionSlice &
  NoticeSlice &
  ModelSlice &
  PlanSlice &
  DatasetSlice &
  RunSlice &
  TryItSlice &
  LmSlice &
  GenerationSlice &
  PreferenceSlice &
  CheckpointSlice;
