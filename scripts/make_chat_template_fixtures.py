"""Renders the families' real chat templates with transformers' apply_chat_template (dev tool only).

Writes fixtures/chat-templates/expected.json: for each template in fixtures/chat-templates/*.jinja and
each conversation below, the text transformers renders (with and without the generation prompt, and
with the extra keyword variables some templates read: Qwen3's enable_thinking, Llama 3's date_string).
src/tokenizers/chatTemplate.test.ts renders the same cases through @huggingface/jinja and must match.

    /work/venv/bin/python scripts/make_chat_template_fixtures.py
"""

import json
import pathlib

import transformers

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "fixtures" / "chat-templates"
TOKENIZER = ROOT / "fixtures" / "hf-tiny" / "tiny-llama" / "base" / "tokenizer.json"

# The special tokens each family's tokenizer_config.json declares (what apply_chat_template passes).
TOKENS = {
    "qwen3": {"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "unk_token": None},
    "gemma2": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"},
    "gemma3": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"},
    "llama3.2": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "pad_token": None, "unk_token": None},
    "phi3.5": {"bos_token": "<s>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "unk_token": "<unk>"},
    "phi4-mini": {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"},
}

SYSTEM = {"role": "system", "content": "Answer briefly."}
CHAT = [
    {"role": "user", "content": "What colour is a frog?"},
    {"role": "assistant", "content": "Green."},
    {"role": "user", "content": "  And the sky?\n"},
    {"role": "assistant", "content": "Blue, mostly.  \n"},
]
# Qwen3's reasoning turns: the template keeps the last turn's <think> block and drops earlier ones.
REASONING = [
    {"role": "user", "content": "2 + 2?"},
    {"role": "assistant", "content": "<think>\nAdd them.\n</think>\n\n4"},
    {"role": "user", "content": "And 3 + 3?"},
    {"role": "assistant", "content": "<think>\nAdd again.\n</think>\n\n6"},
]

CONVERSATIONS = {
    "chat": CHAT,
    "system-chat": [SYSTEM, *CHAT],
    "reasoning": REASONING,
    "single": CHAT[:2],
}

VARIABLES = {
    "qwen3": [{}, {"enable_thinking": False}],
    "llama3.2": [{"date_string": "01 Mar 2026"}],
}


def tokenizer_for(tokens):
    cls = getattr(transformers, "PreTrainedTokenizerFast", None) or transformers.TokenizersBackend
    return cls(tokenizer_file=str(TOKENIZER), **{k: v for k, v in tokens.items() if v is not None})


def main():
    cases = []
    for name, tokens in TOKENS.items():
        source = (TEMPLATES / f"{name}.jinja").read_text()
        tok = tokenizer_for(tokens)
        for conv_name, messages in CONVERSATIONS.items():
            if name == "gemma2" and messages[0]["role"] == "system":
                continue  # Gemma 2's template raises "System role not supported".
            for variables in VARIABLES.get(name, [{}]):
                # The whole conversation, and the prompt before its last answer (what generation sees).
                for msgs, gen in ((messages, False), (messages[:-1], True)):
                    text = tok.apply_chat_template(
                        msgs, chat_template=source, tokenize=False, add_generation_prompt=gen, **variables
                    )
                    cases.append(
                        {
                            "template": name,
                            "conversation": conv_name,
                            "tokens": tokens,
                            "messages": msgs,
                            "add_generation_prompt": gen,
                            "variables": variables,
                            "text": text,
                        }
                    )
    out = {
        "generator": f"transformers {transformers.__version__} apply_chat_template(tokenize=False)",
        "cases": cases,
    }
    (TEMPLATES / "expected.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases")


if __name__ == "__main__":
    main()
