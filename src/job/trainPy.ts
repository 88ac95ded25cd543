/**
 * The job's train.py (see its docstring), kept here as text so the engine can write it from the
 * browser and from Node alike. Python 3.9+, torch, transformers, peft and accelerate only.
 */
export const TRAIN_PY = String.raw`"""Tabtune job: the tab's LoRA run on a Hugging Face causal LM, data-parallel with Accelerate.

Reads job.json (model, hyperparameters), lora/adapter_config.json (the PEFT LoraConfig) and
data/{train,validation}.jsonl (token ids and loss masks exactly as the tab made them; preference
pairs for a dpo job, whose objective is in dpo.py). Writes
output/adapter/ (PEFT), output/trainer_state.json (log_history as transformers' Trainer writes it)
and output/job_result.json. Needs only torch, transformers, peft and accelerate.
Start it with launch.sh (or: accelerate launch train.py); MODEL=<folder or Hub id> overrides the model.
"""
import json
import math
import os
import random
import sys
import time
from contextlib import nullcontext

import torch
from accelerate import Accelerator
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    print(f"train.py: {message}", file=sys.stderr)
    sys.exit(1)


def read_rows(path, max_length):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                ids, mask = row["input_ids"], row["loss_mask"]
            except (ValueError, KeyError) as e:
                fail(f"{path} line {n}: not a row of input_ids and loss_mask ({e}); export the job again.")
            if len(ids) != len(mask) or len(ids) == 0:
                fail(f"{path} line {n}: input_ids and loss_mask differ in length; export the job again.")
            rows.append((ids[:max_length], mask[:max_length]))
    return rows


def collate(rows, pad_id):
    """Right-padded batch; labels are the ids where the tab trains them (-100 elsewhere), shifted by the model."""
    width = max(len(ids) for ids, _ in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)  # [B, T]
    attention = torch.zeros((len(rows), width), dtype=torch.long)  # [B, T]
    labels = torch.full((len(rows), width), -100, dtype=torch.long)  # [B, T]
    for i, (ids, mask) in enumerate(rows):
        t = torch.tensor(ids, dtype=torch.long)
        input_ids[i, : len(ids)] = t
        attention[i, : len(ids)] = 1
        labels[i, : len(ids)] = torch.where(torch.tensor(mask, dtype=torch.bool), t, torch.tensor(-100))
    return {"input_ids": input_ids, "attention_mask": attention, "labels": labels}


def model_location(job):
    m = job["model"]
    if os.environ.get("MODEL"):
        return os.environ["MODEL"]
    for folder in (os.path.join(HERE, m["path"]), m.get("local_path")):
        if folder and os.path.isfile(os.path.join(folder, "config.json")):
            return folder
    if m.get("hub_id"):
        return m["hub_id"]
    fail(f"the model \"{m['name']}\" is not in {os.path.join(HERE, m['path'])}: copy its folder (config.json, model.safetensors) there, or set MODEL=<folder or Hub id>.")


def token_loss_sum(model, batch):
    """Sum of next-token losses over trained tokens, and their count."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]  # [B, T-1, V]
    labels = batch["labels"][:, 1:]  # [B, T-1]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1), ignore_index=-100, reduction="sum")
    return loss, (labels != -100).sum()


def lm_loss(model, batch):
    """The tab's causal-LM loss: the mean over trained tokens (a row cut before its answer has none). Returns (loss, weight, metrics)."""
    s, c = token_loss_sum(model, batch)
    return s / c.clamp(min=1), c, {}


def main():
    job = json.load(open(os.path.join(HERE, "job.json"), encoding="utf-8"))
    h, data = job["hyperparameters"], job["data"]
    out = os.path.join(HERE, job["output_dir"])
    # CPU=1 (launch.sh): processes on CPU cores talking over gloo, for a smoke run without GPUs.
    accelerator = Accelerator(cpu=os.environ.get("CPU") == "1")
    # The same seed on every process: identical LoRA initialisation; the sampler shards the data.
    random.seed(h["seed"])
    torch.manual_seed(h["seed"])

    location = model_location(job)
    model = AutoModelForCausalLM.from_pretrained(location, revision=job["model"].get("revision") or None, dtype=torch.float32)
    config = LoraConfig.from_pretrained(os.path.join(HERE, job["lora_config"]))
    config.inference_mode = False
    config.base_model_name_or_path = location
    model = get_peft_model(model, config)
    if accelerator.is_main_process:
        model.print_trainable_parameters()

    if job["task"] == "dpo":
        sys.path.insert(0, HERE)
        from dpo import collate_pairs, preference_loss, read_pairs

        read, collate_rows = read_pairs, collate_pairs
        objective = lambda m, b: preference_loss(m, b, job["preference"], accelerator)  # noqa: E731
    else:
        read, collate_rows, objective = read_rows, collate, lm_loss
    train_rows = read(os.path.join(HERE, data["train"]), data["max_length"])
    val_rows = read(os.path.join(HERE, data["validation"]), data["max_length"])
    pad = data["pad_token_id"]
    g = torch.Generator().manual_seed(h["seed"])
    loader = torch.utils.data.DataLoader(train_rows, batch_size=h["per_device_train_batch_size"], shuffle=True, generator=g, collate_fn=lambda r: collate_rows(r, pad), drop_last=False)
    # Validation rows sharded by hand (no padding duplicates): the loss is exact over the split.
    val_shard = val_rows[accelerator.process_index :: accelerator.num_processes]

    # AdamW as the tab's: decoupled weight decay on every trainable tensor except biases.
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [
        {"params": [p for n, p in named if not n.endswith(".bias")], "weight_decay": h["weight_decay"]},
        {"params": [p for n, p in named if n.endswith(".bias")], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW([gr for gr in groups if gr["params"]], lr=h["learning_rate"], betas=(h["adam_beta1"], h["adam_beta2"]), eps=h["adam_epsilon"])
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    # One scheduler step per optimizer step (not prepared: Accelerate would step it once per process).
    steps, warmup = h["max_steps"], h["warmup_steps"]
    make = {"cosine": get_cosine_schedule_with_warmup, "linear": get_linear_schedule_with_warmup}.get(h["lr_scheduler_type"])
    scheduler = make(optimizer, warmup, steps) if make else get_constant_schedule_with_warmup(optimizer, warmup)

    def batches():
        epoch = 0
        while True:
            if hasattr(loader, "set_epoch"):
                loader.set_epoch(epoch)
            for b in loader:
                yield b
            epoch += 1

    def evaluate():
        """The validation loss over the whole split (tokens or pairs weighted as the tab weighs them), and its metrics."""
        model.eval()
        total, names = None, None
        with torch.no_grad():
            for i in range(0, len(val_shard), h["per_device_train_batch_size"]):
                b = {k: v.to(accelerator.device) for k, v in collate_rows(val_shard[i : i + h["per_device_train_batch_size"]], pad).items()}
                loss, weight, metrics = objective(model, b)
                names = sorted(metrics)
                part = torch.stack([loss.double() * weight, weight.double()] + [metrics[k].double() * weight for k in names])
                total = part if total is None else total + part
        model.train()
        # Every process has at least one validation row when there are as many rows as processes.
        total = accelerator.reduce(total, reduction="sum")
        return (total[0] / total[1]).item(), {f"eval_{k}": (total[2 + j] / total[1]).item() for j, k in enumerate(names)}

    log_history, accum, stream = [], h["gradient_accumulation_steps"], batches()
    started = time.time()
    model.train()
    loss_value = float("nan")
    for step in range(1, steps + 1):
        lr = scheduler.get_last_lr()[0]
        step_loss = torch.zeros((), device=accelerator.device)
        step_metrics = {}
        for micro in range(accum):
            batch = next(stream)
            # Gradients are averaged across processes only on the last micro-batch.
            with accelerator.no_sync(model) if micro < accum - 1 else nullcontext():
                loss, _, metrics = objective(model, batch)
                accelerator.backward(loss / accum)
            step_loss += loss.detach() / accum
            for k, v in metrics.items():
                step_metrics[k] = step_metrics.get(k, 0) + v.detach() / accum
        if h["max_grad_norm"] > 0:
            accelerator.clip_grad_norm_(model.parameters(), h["max_grad_norm"])
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        loss_value = accelerator.reduce(step_loss, reduction="mean").item()
        entry = {"epoch": step / max(1, math.ceil(len(train_rows) / h["per_device_train_batch_size"] / accelerator.num_processes)), "learning_rate": lr, "loss": loss_value, "step": step}
        entry.update({k: accelerator.reduce(v, reduction="mean").item() for k, v in sorted(step_metrics.items())})
        log_history.append(entry)
        if accelerator.is_main_process:
            print(f"step {step}/{steps}  loss {loss_value:.4f}  lr {lr:.2e}", flush=True)
        if len(val_rows) >= accelerator.num_processes and ((h["eval_steps"] > 0 and step % h["eval_steps"] == 0) or step == steps):
            v, eval_metrics = evaluate()
            log_history.append({"eval_loss": v, **eval_metrics, "step": step})
            if accelerator.is_main_process:
                print(f"eval at step {step}: validation loss {v:.4f}", flush=True)

    accelerator.wait_for_everyone()
    # Every process takes part in gathering the state dict (FSDP: a full state dict); the main one writes.
    state = accelerator.get_state_dict(model)
    if accelerator.is_main_process:
        accelerator.unwrap_model(model).save_pretrained(os.path.join(out, "adapter"), state_dict=state, safe_serialization=True)
        state_json = {"global_step": steps, "max_steps": steps, "log_history": log_history, "train_batch_size": h["per_device_train_batch_size"], "is_world_process_zero": True}
        with open(os.path.join(out, "trainer_state.json"), "w", encoding="utf-8") as f:
            json.dump(state_json, f, indent=2)
        result = {"world_size": accelerator.num_processes, "steps": steps, "final_loss": loss_value, "seconds": time.time() - started, "model": location, "distributed_type": str(accelerator.distributed_type)}
        with open(os.path.join(out, "job_result.json"), "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
        print(f"wrote {out}/adapter, trainer_state.json, job_result.json (world size {accelerator.num_processes})", flush=True)
    accelerator.end_training()


if __name__ == "__main__":
    main()
`;
