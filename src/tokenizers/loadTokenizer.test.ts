import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './loadTokenizer.ts';
import { fixtureReference, fixtureText, fixtureTokenizer, type FixtureModel } from './testFixtures.ts';
import { thrownBy } from '../testing/errorOf.ts';

const MODELS: FixtureModel[] = ['tiny-gpt2', 'tiny-llama'];


describe('loadTokenizer', () => {
  for (const model of MODELS) {
    it(`${model}: reproduces the ids the Python tokenizer gives`, () => {
      const tok = fixtureTokenizer(model);
      const ref = fixtureReference(model);
      expect(ref.text_ids.length).toBeGreaterThan(0);
      expect(tok.encode(ref.text)).toEqual(ref.text_ids);
      expect(tok.decode(ref.text_ids)).toBe(ref.text);
    });
  }

  it('reads special tokens, vocab size and falls back to EOS for padding', () => {
    const tok = fixtureTokenizer('tiny-gpt2');
    expect(tok.vocabSize).toBe(300);
    expect(tok.bosId).toBe(0);
    expect(tok.eosId).toBe(0);
    expect(tok.padId).toBe(0);
    expect(tok.specialIds.has(0)).toBe(true);
    expect(tok.tokenToId('<|endoftext|>')).toBe(0);
    expect(tok.tokenToId('not-a-token')).toBeNull();
  });

  it('round-trips text with multi-byte characters and newlines', () => {
    const tok = fixtureTokenizer('tiny-llama');
    for (const text of ['héllo wörld', '世界 🎉 tab\n\n  spaces ,punct .', '']) {
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });

  it('matches special tokens in text and skips them on request', () => {
    const tok = fixtureTokenizer('tiny-gpt2');
    const ids = tok.encode('hello<|endoftext|>');
    expect(ids[ids.length - 1]).toBe(0);
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('hello');
    expect(tok.decode(ids)).toBe('hello<|endoftext|>');
  });

  it('works without tokenizer_config.json, guessing EOS from the vocabulary', () => {
    const tok = loadTokenizer(fixtureText('tiny-gpt2', 'base/tokenizer.json'), null, 'tiny-gpt2');
    expect(tok.eosId).toBe(0);
    expect(tok.padId).toBe(0);
  });

  it('uses the ChatML default when the model has no chat template, and says so', () => {
    const tok = fixtureTokenizer('tiny-llama');
    expect(tok.chatTemplate).toBeNull();
    expect(tok.chatTemplateSource).toBe('default');
    const text = tok.applyChatTemplate(
      [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
      { addGenerationPrompt: true },
    );
    expect(text).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n<|im_start|>assistant\n');
  });

  // Like transformers, the renderer trims the newline after a block tag (trim_blocks), so the template prints '\n' itself.
  it("renders the model's own template with bos_token and eos_token", () => {
    const template =
      "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}{% if m['role'] == 'assistant' %}{{ eos_token }}{% endif %}{{ '\\n' }}{% endfor %}" +
      '{% if add_generation_prompt %}[assistant] {% endif %}';
    const tok = fixtureTokenizer('tiny-llama', { chat_template: template });
    expect(tok.chatTemplateSource).toBe('tokenizer_config');
    expect(tok.chatTemplate).toBe(template);
    const messages = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'yo' },
    ];
    expect(tok.applyChatTemplate(messages)).toBe('<|endoftext|>[user] hi\n[assistant] yo<|endoftext|>\n');
    expect(tok.applyChatTemplate(messages.slice(0, 1), { addGenerationPrompt: true })).toBe('<|endoftext|>[user] hi\n[assistant] ');
  });

  it('reports a template that calls raise_exception as an EngineError', () => {
    const tok = fixtureTokenizer('tiny-llama', { chat_template: "{{ raise_exception('Roles must alternate') }}" });
    const error = thrownBy(() => tok.applyChatTemplate([{ role: 'user', content: 'x' }]));
    expect(error.code).toBe('chat-template-failed');
    expect(error.message).toContain('Roles must alternate');
  });

  it('names the file and line of invalid JSON', () => {
    const error = thrownBy(() => loadTokenizer('{\n  "model": {\n    "type": "BPE",\n  oops\n}', null, 'my-model'));
    expect(error.code).toBe('tokenizer-invalid-json');
    expect(error.message).toContain('tokenizer.json of my-model');
    expect(error.message).toContain('line 4');
    const configError = thrownBy(() => loadTokenizer(fixtureText('tiny-gpt2', 'base/tokenizer.json'), '{nope', 'm'));
    expect(configError.message).toContain('tokenizer_config.json of m');
  });

  it('rejects unsupported model types and files that are not tokenizers', () => {
    const json = JSON.parse(fixtureText('tiny-gpt2', 'base/tokenizer.json'));
    json.model.type = 'WordLevel';
    const error = thrownBy(() => loadTokenizer(JSON.stringify(json), null, 'm'));
    expect(error.code).toBe('tokenizer-unsupported-model');
    expect(error.message).toContain('WordLevel');
    expect(thrownBy(() => loadTokenizer('{"vocab_size": 3}', null, 'm')).code).toBe('tokenizer-invalid');
  });
});
