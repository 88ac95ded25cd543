import { readFileSync } from 'node:fs';
import { loadTokenizer } from './loadTokenizer.ts';
import type { LmTokenizer } from './lmTokenizer.ts';

/** Test helper: the tiny Hugging Face fixtures written by transformers (tokenizer files and reference ids). */
export type FixtureModel = 'tiny-gpt2' | 'tiny-llama';

export function fixtureText(model: FixtureModel, file: string): string {
  return readFileSync(new URL(`../../fixtures/hf-tiny/${model}/${file}`, import.meta.url), 'utf8');
}

export function fixtureTokenizer(model: FixtureModel, configOverrides: Record<string, unknown> = {}): LmTokenizer {
  const config = { ...JSON.parse(fixtureText(model, 'base/tokenizer_config.json')), ...configOverrides };
  return loadTokenizer(fixtureText(model, 'base/tokenizer.json'), JSON.stringify(config), model);
}

export function fixtureReference(model: FixtureModel): { text: string; text_ids: number[] } {
  return JSON.parse(fixtureText(model, 'reference.json'));
}
