import { describe, expect, it } from 'vitest';
import { modelLabel, planInWords, runName, shortDate } from './runName.ts';

describe('run names', () => {
  it('say the plan in words', () => {
    expect(planInWords({}, 'image')).toBe('Head only');
    expect(planInWords({}, 'lm')).toBe('Nothing trained');
    expect(planInWords({ a: { kind: 'lora', r: 8, alpha: 16 }, b: { kind: 'lora', r: 8, alpha: 16 } }, 'lm')).toBe('LoRA r8');
    expect(planInWords({ a: { kind: 'lora', r: 4, alpha: 8 }, b: { kind: 'lora', r: 16, alpha: 16 }, c: { kind: 'full' }, d: { kind: 'full' } }, 'lm')).toBe('LoRA r4–16 + 2 modules full');
    expect(planInWords({ dense: { kind: 'full' }, x: { kind: 'frozen' } }, 'table')).toBe('1 layer full');
  });

  it('name the plan, model, dataset (without its extension) and the local start time', () => {
    const startedAt = new Date(2026, 11, 3, 15, 20).getTime();
    expect(shortDate(startedAt)).toBe('3 Dec 15:20');
    const run = { kind: 'lm' as const, startedAt, modelName: 'tiny-chat-lm', datasetName: 'chat-sample.jsonl' };
    expect(runName(run, { q: { kind: 'lora', r: 8, alpha: 16 } })).toBe('LoRA r8 · tiny-chat-lm · chat-sample · 3 Dec 15:20');
    expect(runName(run, null)).toBe('tiny-chat-lm · chat-sample · 3 Dec 15:20');
  });

  it('name a model loaded by URL without its host', () => {
    expect(modelLabel('http://localhost:4432/models/tiny-chat-lm')).toBe('tiny-chat-lm');
    expect(modelLabel('https://huggingface.co/HuggingFaceTB/SmolLM2-135M/resolve/main/')).toBe('HuggingFaceTB/SmolLM2-135M');
    expect(modelLabel('http://127.0.0.1:4319/test-org/tiny-chat-lm/resolve/main/')).toBe('tiny-chat-lm');
    expect(modelLabel('Shapes CNN')).toBe('Shapes CNN');
  });
});
