"""Writes fixtures/hf-families/gemma2: a tiny random Gemma 2 with a PEFT adapter (dev tool only).

Same layout as the other fixtures/hf-families cases (base/, adapter/, merged/, reference.json with
`ids`, `base` and `adapted` logits). The weights are drawn wider than Gemma's init and the soft-caps
set low, so that attention and final logit soft-capping change the logits measurably (the script
prints by how much) and a forward pass without them fails the parity test.

    /work/venv/bin/python scripts/make_gemma2_fixture.py
"""

import json
import pathlib
import shutil

import peft
import torch
import transformers

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "hf-families" / "gemma2"
TOKENIZER = ROOT / "fixtures" / "hf-families" / "gemma3" / "base" / "tokenizer.json"
IDS = [[1, 5, 9, 14, 2, 33, 7, 21], [40, 3, 3, 17, 60, 11]]


def config(**overrides):
    fields = dict(
        vocab_size=300,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=8,
        max_position_embeddings=64,
        sliding_window=3,  # shorter than the 8-token sequence: layer 0 slides, layer 1 is full
        query_pre_attn_scalar=12,  # not head_dim, so the scale is checked
        attn_logit_softcapping=1.5,
        final_logit_softcapping=4.0,
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
        initializer_range=0.35,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=2,
        tie_word_embeddings=True,
    )
    fields.update(overrides)
    cfg = transformers.Gemma2Config(**fields)
    cfg._attn_implementation = "eager"
    return cfg


def logits(model):
    out = []
    with torch.no_grad():
        for seq in IDS:
            out.append(model(torch.tensor([seq])).logits[0].tolist())
    return out


def max_diff(a, b):
    return max(abs(x - y) for sa, sb in zip(a, b) for ra, rb in zip(sa, sb) for x, y in zip(ra, rb))


def main():
    torch.manual_seed(0)
    base = transformers.Gemma2ForCausalLM(config()).eval()
    with torch.no_grad():
        # Norm weights are stored as w in (1 + w): give them values so a missing "+ 1" shows.
        for name, p in base.named_parameters():
            if "norm" in name:
                p.copy_(torch.randn_like(p) * 0.3)
    base_logits = logits(base)

    # How much each Gemma 2 feature moves the logits (the parity test must be able to fail).
    uncapped = transformers.Gemma2ForCausalLM(config(attn_logit_softcapping=None, final_logit_softcapping=None)).eval()
    uncapped.load_state_dict(base.state_dict())
    print("without soft-capping, max |diff|:", max_diff(logits(uncapped), base_logits))
    attn_only = transformers.Gemma2ForCausalLM(config(attn_logit_softcapping=None)).eval()
    attn_only.load_state_dict(base.state_dict())
    print("without attention soft-capping, max |diff|:", max_diff(logits(attn_only), base_logits))
    print("max |logit|:", max(abs(x) for s in base_logits for r in s for x in r))

    if OUT.exists():
        shutil.rmtree(OUT)
    base.save_pretrained(OUT / "base")
    cls = getattr(transformers, "PreTrainedTokenizerFast", None) or transformers.TokenizersBackend
    tok = cls(tokenizer_file=str(TOKENIZER), bos_token="<|endoftext|>", eos_token="<|endoftext|>")
    tok.save_pretrained(OUT / "base")

    lora = peft.LoraConfig(
        r=4,
        lora_alpha=8,
        target_modules=["q_proj", "k_proj", "o_proj", "up_proj", "down_proj"],
        init_lora_weights=False,  # non-zero B, so the adapter changes the output
        task_type="CAUSAL_LM",
    )
    torch.manual_seed(1)
    adapted = peft.get_peft_model(base, lora).eval()
    adapted_logits = logits(adapted)
    adapted.save_pretrained(OUT / "adapter")
    (OUT / "adapter" / "README.md").unlink()  # PEFT's model card template: not part of the fixture
    merged = adapted.merge_and_unload()
    merged.save_pretrained(OUT / "merged")
    print("adapter changes the logits by", max_diff(adapted_logits, base_logits))

    reference = {"ids": IDS, "vocab_size": 300, "base": base_logits, "adapted": adapted_logits, "model_type": "gemma2"}
    # float32 values printed with 9 significant digits: exact for float32, half the size of repr(float64).
    (OUT / "reference.json").write_text(json.dumps(json.loads(json.dumps(reference), parse_float=lambda s: float(f"{float(s):.9g}"))))
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({size} bytes), transformers {transformers.__version__}, peft {peft.__version__}")


if __name__ == "__main__":
    main()
