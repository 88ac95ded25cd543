/**
 * Test helpers: the tiny transformers/PEFT fixtures in fixtures/hf-tiny and fixtures/hf-families
 * (one tiny model per family), read from disk. Only tests import this file (it uses node:fs).
 */
import { readFileSync } from 'node:fs';
import { readSafetensors, toFloat32 } from '../../export/safetensors.ts';
import { tf, type Tensor } from '../../tf.ts';
import type { LmLora } from './hfTypes.ts';
import type { HfFileReader } from './hfWeights.ts';

/** The cases of fixtures/hf-families (see its README). */
export const FAMILY_CASES = ['qwen3', 'llama3-rope', 'phi3', 'smollm3', 'mistral-sliding', 'gemma3', 'gemma2'] as const;
export type FamilyCase = (typeof FAMILY_CASES)[number];
export type FixtureModel = 'tiny-gpt2' | 'tiny-llama' | FamilyCase;

/** Every fixture model whose family the registry runs, for the parity suites. */
export const PARITY_MODELS: FixtureModel[] = ['tiny-gpt2', 'tiny-llama', 'qwen3', 'llama3-rope', 'phi3', 'smollm3', 'mistral-sliding', 'gemma3', 'gemma2'];

export function fixturePath(model: FixtureModel, file: string): URL {
  const folder = model === 'tiny-gpt2' || model === 'tiny-llama' ? 'hf-tiny' : 'hf-families';
  return new URL(`../../../fixtures/${folder}/${model}/${file}`, import.meta.url);
}

export function fixtureBytes(model: FixtureModel, file: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(model, file)));
}

/** A reader over one fixture folder (base/ or merged/), null for files it lacks. */
export function fixtureReader(model: FixtureModel, folder: 'base' | 'merged'): HfFileReader {
  return async (file) => {
    try {
      return fixtureBytes(model, `${folder}/${file}`);
    } catch {
      return null;
    }
  };
}

/** A reader over in-memory files. */
export function memoryReader(files: Record<string, Uint8Array | string>): HfFileReader {
  return async (file) => {
    const f = files[file];
    if (f === undefined) return null;
    return typeof f === 'string' ? new TextEncoder().encode(f) : f;
  };
}

export interface Reference {
  ids: number[][];
  base: number[][][];
  adapted: number[][][];
}

export function fixtureReference(model: FixtureModel): Reference {
  return JSON.parse(readFileSync(fixturePath(model, 'reference.json'), 'utf8')) as Reference;
}

/** The PEFT adapter as LmLora: names stripped of `base_model.model.` and `.lora_A.weight`. */
export function fixtureLora(model: FixtureModel): LmLora {
  const cfg = JSON.parse(readFileSync(fixturePath(model, 'adapter/adapter_config.json'), 'utf8')) as { r: number; lora_alpha: number };
  const file = readSafetensors(fixtureBytes(model, 'adapter/adapter_model.safetensors'), 'adapter_model.safetensors');
  const lora: LmLora = new Map();
  for (const [name, t] of file.tensors) {
    if (!name.endsWith('.lora_A.weight')) continue;
    const path = name.slice('base_model.model.'.length, -'.lora_A.weight'.length);
    const b = file.tensors.get(`base_model.model.${path}.lora_B.weight`)!;
    lora.set(path, {
      A: tf.variable(tf.tensor(toFloat32(t), t.shape), true),
      B: tf.variable(tf.tensor(toFloat32(b), b.shape), true),
      r: cfg.r,
      alpha: cfg.lora_alpha,
      scale: cfg.lora_alpha / cfg.r,
      dropout: 0,
    });
  }
  return lora;
}

export function disposeLora(lora: LmLora): void {
  for (const ad of lora.values()) tf.dispose([ad.A, ad.B]);
}

/** Max |logits[b, t, :] - ref[b][t]| over the first `lengths[b]` positions of each sequence. */
export function maxDiffToReference(logits: Tensor, ref: number[][][], lengths?: number[]): number {
  const values = logits.arraySync() as number[][][];
  let max = 0;
  ref.forEach((seq, b) => {
    const n = lengths?.[b] ?? seq.length;
    for (let t = 0; t < n; t++) {
      seq[t]!.forEach((x, v) => {
        max = Math.max(max, Math.abs(values[b]![t]![v]! - x));
      });
    }
  });
  return max;
}

/** Right-pads the id sequences with 0 into ids [B, T] and a mask [B, T]. */
export function paddedBatch(seqs: number[][]): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const t = Math.max(...seqs.map((s) => s.length));
  const ids = seqs.map((s) => [...s, ...new Array<number>(t - s.length).fill(0)]);
  const mask = seqs.map((s) => s.map(() => 1).concat(new Array<number>(t - s.length).fill(0)));
  return { ids: tf.tensor2d(ids, undefined, 'int32'), mask: tf.tensor2d(mask, undefined, 'int32') };
}

