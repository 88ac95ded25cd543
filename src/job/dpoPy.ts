/**
 * The dpo job's dpo.py (see its docstring): the preference objectives as TRL computes them, in
 * PyTorch, mirroring src/train/preferenceLoss.ts; train.py imports it for a dpo job.
 */
export const DPO_PY = String.raw`"""Preference objectives of a Tabtune dpo job, as TRL computes them (and the tab's src/train/preferenceLoss.ts).

Notation: pc, pr the policy's summed completion log-probabilities of the chosen and rejected
answers, rc, rr the reference's (the base: the adapter disabled), nc, nr their completion tokens.
  sigmoid  -(1-e)*logsig(b*D) - e*logsig(-b*D),  D = (pc-rc) - (pr-rr)   (DPO; e > 0: conservative DPO)
  hinge    relu(1 - b*D)
  ipo      ((pc-rc)/nc - (pr-rr)/nr - 1/(2b))^2
  robust   (-(1-e)*logsig(b*D) + e*logsig(-b*D)) / (1-2e)
  simpo    z = b*(pc/nc - pr/nr) - gamma;  -(1-e)*logsig(z) - e*logsig(-z)
  orpo     NLL(chosen) - b*logsig(log_odds),  log_odds = (ac-ar) - (log(1-e^ac) - log(1-e^ar)), a = p/n
The batch loss is the mean over pairs (plus ORPO's NLL). Rows: {chosen_ids, rejected_ids, prompt_length}.
"""
import json
import sys

import torch
import torch.nn.functional as F

REFERENCE_LOSSES = {"sigmoid", "hinge", "ipo", "robust"}


def read_pairs(path, max_length):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rows.append((row["chosen_ids"][:max_length], row["rejected_ids"][:max_length], int(row["prompt_length"])))
            except (ValueError, KeyError, TypeError) as e:
                print(f"train.py: {path} line {n}: not a pair of chosen_ids, rejected_ids and prompt_length ({e}); export the job again.", file=sys.stderr)
                sys.exit(1)
    return rows


def collate_pairs(rows, pad_id):
    """TRL's layout: the chosen sequences, then the rejected ones, right-padded to the longest ([2B, T])."""
    seqs = [c for c, _, _ in rows] + [r for _, r, _ in rows]
    prompts = [p for _, _, p in rows] * 2
    width = max(len(s) for s in seqs)
    input_ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)  # [2B, T]
    attention = torch.zeros((len(seqs), width), dtype=torch.long)  # [2B, T]
    completion = torch.zeros((len(seqs), width - 1))  # [2B, T-1]: label t+1 is a completion token
    targets = torch.zeros((len(seqs), width - 1))  # [2B, T-1]: label t+1 is a real token
    for i, (s, p) in enumerate(zip(seqs, prompts)):
        input_ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
        attention[i, : len(s)] = 1
        targets[i, : len(s) - 1] = 1
        completion[i, max(p - 1, 0) : len(s) - 1] = 1
    return {"input_ids": input_ids, "attention_mask": attention, "completion": completion, "targets": targets}


def pair_logps(model, batch):
    """Summed completion log-probabilities [2B], and ORPO's mean NLL over the chosen rows' real tokens."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1].float()  # [2B, T-1, V]
    labels = batch["input_ids"][:, 1:]  # [2B, T-1]
    picked = torch.gather(logits.log_softmax(-1), 2, labels.unsqueeze(-1)).squeeze(-1)  # [2B, T-1]
    logps = (picked * batch["completion"]).sum(-1)  # [2B]
    half = picked.shape[0] // 2
    chosen_targets = batch["targets"][:half]
    nll = -(picked[:half] * chosen_targets).sum() / chosen_targets.sum().clamp(min=1)
    return logps, nll


def log1mexp(x):
    return torch.log(-torch.expm1(torch.clamp(x, max=-1e-7)))


def preference_loss(model, batch, p, accelerator):
    """(batch loss, pairs, TRL's metrics) for one batch of pairs."""
    kind, beta, ls = p["loss"], p["beta"], p["label_smoothing"]
    logps, nll = pair_logps(model, batch)
    pc, pr = logps.chunk(2)
    lengths = batch["completion"].sum(-1).clamp(min=1)
    nc, nr = lengths.chunk(2)

    def smoothed(z):
        return -(1 - ls) * F.logsigmoid(z) - ls * F.logsigmoid(-z) if ls > 0 else -F.logsigmoid(z)

    if kind in REFERENCE_LOSSES:
        # The reference is the base model: the same weights with the adapter switched off.
        with torch.no_grad(), accelerator.unwrap_model(model).disable_adapter():
            ref, _ = pair_logps(model, batch)
        rc, rr = ref.chunk(2)
        delta = (pc - rc) - (pr - rr)
        if kind == "sigmoid":
            losses = smoothed(beta * delta)
        elif kind == "hinge":
            losses = torch.relu(1 - beta * delta)
        elif kind == "ipo":
            losses = ((pc - rc) / nc - (pr - rr) / nr - 1 / (2 * beta)) ** 2
        else:
            z = beta * delta
            losses = (-(1 - ls) * F.logsigmoid(z) + ls * F.logsigmoid(-z)) / (1 - 2 * ls)
        chosen_rewards, rejected_rewards = beta * (pc - rc).detach(), beta * (pr - rr).detach()
    elif kind == "simpo":
        losses = smoothed(beta * (pc / nc - pr / nr) - p["simpo_gamma"])
        chosen_rewards, rejected_rewards = (beta * pc / nc).detach(), (beta * pr / nr).detach()
    elif kind == "orpo":
        ac, ar = pc / nc, pr / nr
        log_odds = (ac - ar) - (log1mexp(ac) - log1mexp(ar))
        losses = -beta * F.logsigmoid(log_odds)
        chosen_rewards, rejected_rewards = (beta * ac).detach(), (beta * ar).detach()
    else:
        raise ValueError(f"unknown preference loss {kind!r}")
    loss = losses.mean() + (nll if kind == "orpo" else 0)
    metrics = {
        "rewards/chosen": chosen_rewards.mean(),
        "rewards/rejected": rejected_rewards.mean(),
        "rewards/accuracies": (chosen_rewards > rejected_rewards).float().mean(),
        "rewards/margins": (chosen_rewards - rejected_rewards).mean(),
        "logps/chosen": pc.detach().mean(),
        "logps/rejected": pr.detach().mean(),
    }
    return loss, torch.tensor(float(len(losses)), device=loss.device), metrics
`;
