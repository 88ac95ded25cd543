import { describe, expect, it } from 'vitest';
import { fixtureTokenizer } from '../../tokenizers/testFixtures.ts';
import { parseLmDataset } from './parseLmDataset.ts';
import { familyTemplate, templateCases, type FamilyTemplate } from '../../tokenizers/chatTemplateFixtures.ts';
import { renderChat, type WeightedMessage } from './renderChat.ts';
import type { LmExample } from './lmTypes.ts';

const LLAMA3_STYLE =
  "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

function trainedSegments(tok: ReturnType<typeof fixtureTokenizer>, e: LmExample): string[] {
  const segments: string[] = [];
  let run: number[] = [];
  e.mask.forEach((m, k) => {
    if (m === 1) run.push(e.ids[k]!);
    else if (run.length) {
      segments.push(tok.decode(run));
      run = [];
    }
  });
  if (run.length) segments.push(tok.decode(run));
  return segments;
}

const conversation = [
  { role: 'system', content: 'be brief' },
  { role: 'user', content: 'hello' },
  { role: 'assistant', content: 'hello tab' },
  { role: 'user', content: 'what are you' },
  { role: 'assistant', content: 'frozen', weight: 0 },
  { role: 'user', content: 'and now?' },
  { role: 'assistant', content: 'two models' },
];
const jsonl = JSON.stringify({ messages: conversation }) + '\n';

describe('chat datasets', () => {
  it('default ChatML: trains assistant turns with their end marker, masks the rest and weight-0 turns', () => {
    const tok = fixtureTokenizer('tiny-llama');
    expect(tok.chatTemplateSource).toBe('default');
    const ds = parseLmDataset({ name: 'chat.jsonl', text: jsonl }, tok);
    expect(ds.format).toBe('chat');
    const e = ds.examples[0]!;
    expect(trainedSegments(tok, e)).toEqual(['hello tab<|im_end|>\n', 'two models<|im_end|>\n<|endoftext|>']);
    // The rendered text is tokenized in one piece: ids are exactly the tokenizer's ids for it (plus EOS).
    const rendered = tok.applyChatTemplate(conversation.map(({ role, content }) => ({ role, content })));
    expect(Array.from(e.ids)).toEqual([...tok.encode(rendered, { addSpecialTokens: false }), tok.eosId]);
    expect(ds.trainedTokens).toBe(e.mask.reduce((s, m) => s + m, 0));
  });

  it("the model's own template: BOS once from the template, spans found without knowing its markup", () => {
    const tok = fixtureTokenizer('tiny-llama', { chat_template: LLAMA3_STYLE });
    const ds = parseLmDataset({ name: 'chat.jsonl', text: jsonl }, tok);
    const e = ds.examples[0]!;
    expect(e.ids[0]).toBe(tok.bosId);
    expect(e.ids[1]).not.toBe(tok.bosId);
    expect(trainedSegments(tok, e)).toEqual(['hello tab<|eot_id|>', 'two models<|eot_id|><|endoftext|>']);
  });

  it('trains everything with trainOnPrompt', () => {
    const tok = fixtureTokenizer('tiny-llama');
    const e = parseLmDataset({ name: 'chat.jsonl', text: jsonl }, tok, { trainOnPrompt: true }).examples[0]!;
    expect(e.mask.every((m) => m === 1)).toBe(true);
  });

  it('falls back to the common prefix when the template renders the last turn differently', () => {
    // This template closes only non-final assistant turns with "<end>", as some reasoning templates do.
    const odd =
      "{% for m in messages %}{{ m['role'] + ': ' + m['content'] }}{% if m['role'] == 'assistant' and not loop.last %}{{ '<end>' }}{% endif %}{{ '\\n' }}{% endfor %}" +
      "{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}";
    const tok = fixtureTokenizer('tiny-llama', { chat_template: odd });
    const messages = conversation.slice(1, 4);
    const { text, spans } = renderChat(tok, messages);
    expect(text).toBe('user: hello\nassistant: hello tab<end>\nuser: what are you\n');
    expect(spans).toHaveLength(1);
    expect(text.slice(spans[0]!.start, spans[0]!.end)).toBe('hello tab');
  });

  it('reports a conversation the template rejects as a bad line', () => {
    const strict = "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{{ m['content'] }}{% endfor %}";
    const tok = fixtureTokenizer('tiny-llama', { chat_template: strict });
    const ok = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] });
    const ds = parseLmDataset({ name: 'chat.jsonl', text: `${jsonl}${ok}\n` }, tok);
    expect(ds.examples).toHaveLength(1);
    expect(ds.issues).toHaveLength(1);
    expect(ds.issues[0]!.line).toBe(1);
    expect(ds.issues[0]!.message).toMatch(/^Line 1: .*System role not supported/);
  });
});

describe("loss on assistant turns only, with the families' real templates", () => {
  const chat = templateCases().find((c) => c.conversation === 'chat' && !c.add_generation_prompt)!.messages;
  const reasoning = templateCases().find((c) => c.conversation === 'reasoning' && !c.add_generation_prompt)!.messages;

  function trainedText(template: FamilyTemplate, messages: WeightedMessage[]): string[] {
    const tokens = templateCases().find((c) => c.template === template)!.tokens;
    const tok = fixtureTokenizer('tiny-llama', { chat_template: familyTemplate(template), ...tokens });
    const { text, spans } = renderChat(tok, messages);
    const expected = templateCases().find((c) => c.template === template && c.messages.length === messages.length && c.messages.every((m, i) => m.content === messages[i]!.content));
    if (expected && Object.keys(expected.variables).length === 0) expect(text).toBe(expected.text);
    return spans.map((s) => text.slice(s.start, s.end));
  }

  it.each([
    ['qwen3', ['Green.<|im_end|>\n', '<think>\n\n</think>\n\nBlue, mostly.  \n<|im_end|>\n']],
    ['gemma2', ['Green.<end_of_turn>\n', 'Blue, mostly.<end_of_turn>\n']],
    ['gemma3', ['Green.<end_of_turn>\n', 'Blue, mostly.<end_of_turn>\n']],
    ['llama3.2', ['Green.<|eot_id|>', 'Blue, mostly.<|eot_id|>']],
    ['phi3.5', ['Green.<|end|>\n', 'Blue, mostly.  \n<|end|>\n<|endoftext|>']],
    ['phi4-mini', ['Green.<|end|>', 'Blue, mostly.  \n<|end|><|endoftext|>']],
  ] as const)('%s: each answer with its end-of-turn marker', (template, expected) => {
    expect(trainedText(template, chat)).toEqual(expected);
  });

  it('Qwen3 multi-turn: an earlier turn, which the template renders without <think>, is still trained', () => {
    // Rendered alone, an earlier turn gets the empty <think> block of a last turn; the full text has
    // none. Its span must come from where the full text puts the answer, not from that prefix.
    expect(trainedText('qwen3', reasoning)).toEqual(['4<|im_end|>\n', '<think>\nAdd again.\n</think>\n\n6<|im_end|>\n']);
  });

  it('weight 0 and the system turn stay untrained with a real template', () => {
    const messages: WeightedMessage[] = [{ role: 'system', content: 'Answer briefly.' }, ...chat.slice(0, 2).map((m) => ({ ...m, weight: 0 })), ...chat.slice(2)];
    expect(trainedText('gemma3', messages)).toEqual(['Blue, mostly.<end_of_turn>\n']);
    expect(trainedText('qwen3', messages)).toEqual(['<think>\n\n</think>\n\nBlue, mostly.  \n<|im_end|>\n']);
  });
});
