import { readFileSync } from 'node:fs';
import type { ChatMessage } from './lmTokenizer.ts';
import type { TemplateTokens } from './chatTemplate.ts';

/** Test helper: the families' real chat templates and what transformers renders with them (fixtures/chat-templates). */
export type FamilyTemplate = 'qwen3' | 'gemma2' | 'gemma3' | 'llama3.2' | 'phi3.5' | 'phi4-mini';

export interface TemplateCase {
  template: FamilyTemplate;
  conversation: string;
  tokens: TemplateTokens;
  messages: ChatMessage[];
  add_generation_prompt: boolean;
  variables: Record<string, unknown>;
  /** transformers' apply_chat_template(tokenize=False). */
  text: string;
}

const DIR = new URL('../../fixtures/chat-templates/', import.meta.url);

export function familyTemplate(name: FamilyTemplate): string {
  return readFileSync(new URL(`${name}.jinja`, DIR), 'utf8');
}

export function templateCases(): TemplateCase[] {
  return (JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as { cases: TemplateCase[] }).cases;
}
