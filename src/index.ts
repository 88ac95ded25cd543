/**
 * The only module app/ imports from the engine: the API types and `createEngine()`, which starts
 * the engine in a dedicated module Worker and returns a typed client for it.
 */
export * from './api.ts';
export { createEngine } from './client.ts';
export { EngineError } from './errors.ts';
export { requestPersistentStorage } from './storage/checkpointStore.ts';
