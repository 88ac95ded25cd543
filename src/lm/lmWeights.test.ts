import { describe, expect, it } from 'vitest';
import { exportStem } from './lmWeights.ts';

describe('exportStem', () => {
  it('names an export after the model and the data, never the host', () => {
    expect(exportStem('http://localhost:4173/models/tiny-chat-lm/', 'chat-sample.jsonl')).toBe('tiny-chat-lm-chat-sample');
    expect(exportStem('https://huggingface.co/HuggingFaceTB/SmolLM2-135M/resolve/main/', 'data.txt')).toBe('smollm2-135m-data');
    expect(exportStem('HuggingFaceTB/SmolLM2-135M', null)).toBe('huggingfacetb-smollm2-135m');
    expect(exportStem('my-folder', 'x')).toBe('my-folder-x');
  });
});
