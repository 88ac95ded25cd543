import { describe, expect, it } from 'vitest';
import { thrownBy } from '../testing/errorOf.ts';
import { compileChatTemplate } from './chatTemplate.ts';
import { familyTemplate, templateCases } from './chatTemplateFixtures.ts';

const cases = templateCases();

describe("the families' chat templates render as transformers renders them", () => {
  it('covers every family template, with and without the generation prompt', () => {
    expect(new Set(cases.map((c) => c.template))).toEqual(new Set(['qwen3', 'gemma2', 'gemma3', 'llama3.2', 'phi3.5', 'phi4-mini']));
    expect(cases.some((c) => c.add_generation_prompt)).toBe(true);
    expect(cases.some((c) => c.variables['enable_thinking'] === false)).toBe(true);
  });

  it.each(cases.map((c) => [`${c.template} ${c.conversation}${c.add_generation_prompt ? ' +prompt' : ''} ${JSON.stringify(c.variables)}`, c] as const))(
    '%s',
    (_, c) => {
      const render = compileChatTemplate(familyTemplate(c.template), c.tokens, c.template);
      expect(render(c.messages, { addGenerationPrompt: c.add_generation_prompt, variables: c.variables })).toBe(c.text);
    },
  );

  it("Qwen3: enable_thinking=false closes an empty <think> block in the prompt; by default the model opens it", () => {
    const render = compileChatTemplate(familyTemplate('qwen3'), cases.find((c) => c.template === 'qwen3')!.tokens, 'qwen3');
    const user = [{ role: 'user', content: 'hi' }];
    expect(render(user, { addGenerationPrompt: true })).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
    expect(render(user, { addGenerationPrompt: true, variables: { enable_thinking: false } })).toBe(
      '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
  });

  it("Llama 3.2 without date_string writes today's date, as transformers' strftime_now does", () => {
    const render = compileChatTemplate(familyTemplate('llama3.2'), cases.find((c) => c.template === 'llama3.2')!.tokens, 'llama3.2');
    const today = new Date();
    const expected = `${String(today.getDate()).padStart(2, '0')} ${today.toLocaleString('en-US', { month: 'short' })} ${today.getFullYear()}`;
    expect(render([{ role: 'user', content: 'hi' }])).toContain(`Today Date: ${expected}\n`);
  });

  it("Gemma 2 refuses a system turn with the template's own sentence", () => {
    const render = compileChatTemplate(familyTemplate('gemma2'), { bos_token: '<bos>', eos_token: '<eos>', pad_token: null, unk_token: null }, 'gemma-2-2b-it');
    const error = thrownBy(() => render([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }]));
    expect(error.message).toBe('The chat template of gemma-2-2b-it rejected the conversation: System role not supported');
  });
});
