/**
 * Reading config.json keys with their defaults and checks, shared by every family's parser. Each
 * error names the file and the key, so a refused model says which field to look at.
 */
import { EngineError, showValue } from '../../errors.ts';

export type RawConfig = Record<string, unknown>;

export function invalidConfig(fileName: string, message: string): EngineError {
  return new EngineError('hf-config-invalid', `${fileName}: ${message}`);
}

/** A setting this app does not reproduce: refused with the field, so no model silently gives wrong logits. */
export function unsupportedConfig(fileName: string, message: string): EngineError {
  return new EngineError('hf-model-unsupported', `${fileName}: ${message}`);
}

const missing = (fileName: string, key: string): EngineError =>
  invalidConfig(fileName, `the key "${key}" is missing; it is needed to build the model. Use the config.json that came with the weights.`);

export function intKey(raw: RawConfig, key: string, fileName: string, fallback?: number): number {
  const v = raw[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw missing(fileName, key);
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw invalidConfig(fileName, `"${key}" must be a positive integer, got ${showValue(v)}.`);
  return v;
}

export function numKey(raw: RawConfig, key: string, fileName: string, fallback?: number): number {
  const v = raw[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw missing(fileName, key);
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw invalidConfig(fileName, `"${key}" must be a positive number, got ${showValue(v)}.`);
  return v;
}

/** A positive number, or null when absent or null (softcaps, windows). */
export function optionalNumKey(raw: RawConfig, key: string, fileName: string): number | null {
  const v = raw[key];
  if (v === undefined || v === null) return null;
  return numKey(raw, key, fileName);
}

export function boolKey(raw: RawConfig, key: string, fileName: string, fallback: boolean): boolean {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw invalidConfig(fileName, `"${key}" must be true or false, got ${showValue(v)}.`);
  return v;
}

export function tokenId(raw: RawConfig, key: string): number | null {
  const v = raw[key];
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

export function eosId(raw: RawConfig): number | number[] | null {
  const v = raw.eos_token_id;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x))) return v as number[];
  return null;
}

/** A list of `n` strings (layer_types), or null when absent. */
export function stringListKey(raw: RawConfig, key: string, fileName: string, n: number): string[] | null {
  const v = raw[key];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'string'))
    throw invalidConfig(fileName, `"${key}" must list one string per layer (${n}), got ${showValue(v)}.`);
  return v as string[];
}
