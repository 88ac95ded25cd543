/**
 * The only module app/ imports from the engine: the API types and `createEngine()`, which starts
 * the engine in a dedicated module Worker and returns a typed client for it.
 */
export * from './api.ts';
export { createEngine } from './client.ts';
export { EngineError } from './errors.ts';
export { requestPersistentStorage } from './storage/checkpointStore.ts';
/** A plan and a run in words ("LoRA r8 + 2 modules full"; "LoRA r8 · tiny-chat-lm · chat-sample · 3 Dec 15:20"). */
export { modelLabel, planInWords, runName } from './train/runName.ts';
