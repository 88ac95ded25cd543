"""PyTorch + PEFT side of `npm run bench`: the same LoRA step as scripts/benchLmStep.ts, same shapes.

A Llama-family causal LM built from a config with random weights (SmolLM2-135M's by default), LoRA
(r, alpha, on q_proj,v_proj unless --targets), AdamW, cross-entropy on random token ids, on CPU with
--threads threads. Prints one JSON line: median ms per step, tokens/s, peak RSS. Run by
scripts/benchCompare.ts; also by hand:  python scripts/benchTorch.py --threads 1 --steps 5
Exits 3 with {"skipped": reason} when torch, transformers or peft cannot be imported.
"""
import argparse
import json
import resource
import statistics
import sys
import time


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--layers", type=int, default=30)
    p.add_argument("--hidden", type=int, default=576)
    p.add_argument("--heads", type=int, default=9)
    p.add_argument("--kv-heads", type=int, default=3)
    p.add_argument("--intermediate", type=int, default=1536)
    p.add_argument("--vocab", type=int, default=49152)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--r", type=int, default=8)
    p.add_argument("--alpha", type=int, default=16)
    p.add_argument("--targets", default="q_proj,v_proj")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--tie", action="store_true", help="tie lm_head to the token embedding (SmolLM2, Qwen2.5-0.5B, GPT-2)")
    p.add_argument("--arch", default="llama", choices=["llama", "qwen2", "gpt2"])
    a = p.parse_args()
    try:
        import torch
        import transformers
        import peft
    except ImportError as e:  # the bench says so and goes on without this column
        print(json.dumps({"skipped": f"{e.name or e} is not importable by {sys.executable}"}))
        sys.exit(3)

    torch.manual_seed(0)
    if a.device == "cpu":
        torch.set_num_threads(a.threads)
    if a.arch == "gpt2":
        cfg = transformers.GPT2Config(n_layer=a.layers, n_embd=a.hidden, n_head=a.heads, vocab_size=a.vocab, n_positions=max(1024, a.seq), tie_word_embeddings=a.tie)
    else:
        Config = transformers.Qwen2Config if a.arch == "qwen2" else transformers.LlamaConfig
        cfg = Config(num_hidden_layers=a.layers, hidden_size=a.hidden, num_attention_heads=a.heads, num_key_value_heads=a.kv_heads,
                     intermediate_size=a.intermediate, vocab_size=a.vocab, max_position_embeddings=2048, tie_word_embeddings=a.tie)
    model = transformers.AutoModelForCausalLM.from_config(cfg).to(a.device)
    model = peft.get_peft_model(model, peft.LoraConfig(r=a.r, lora_alpha=a.alpha, lora_dropout=0.0, target_modules=a.targets.split(","),
                                                       fan_in_fan_out=a.arch == "gpt2", task_type="CAUSAL_LM"))
    model.train()
    opt = torch.optim.AdamW([q for q in model.parameters() if q.requires_grad], lr=1e-4)
    ids = torch.randint(0, a.vocab, (a.batch, a.seq), device=a.device)

    def step() -> float:
        t = time.perf_counter()
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss.item()  # waits for the device
        if a.device != "cpu":
            torch.cuda.synchronize()
        return (time.perf_counter() - t) * 1000

    first = step()
    for _ in range(a.warmup):
        step()
    times = [step() for _ in range(a.steps)]
    med = statistics.median(times)
    out = {
        "engine": f"pytorch {torch.__version__} + peft {peft.__version__}",
        "threads": torch.get_num_threads() if a.device == "cpu" else None,
        "device": a.device,
        "stepMs": med,
        "firstStepMs": first,
        "tokensPerSecond": a.batch * a.seq * 1000 / med,
        # ru_maxrss is KiB on Linux: the process's peak resident memory, weights included.
        "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "trainable": sum(q.numel() for q in model.parameters() if q.requires_grad),
    }
    if a.device != "cpu":
        out["peakDeviceBytes"] = torch.cuda.max_memory_allocated()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
