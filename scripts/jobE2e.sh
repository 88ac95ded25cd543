#!/usr/bin/env bash
# npm run test:job: the exported job run for real, end to end (by hand: CI has no torch).
#   1. tabtune export-job on a tiny fixture model (Llama, then GPT-2) and the sample chat data
#   2. the job's launch.sh with CPU=1 NUM_PROCESSES=2: two data-parallel processes over gloo
#   3. PEFT loads output/adapter onto the base model and prints logits
#   4. tabtune logits --adapter output/ takes the job's output back; its logits must match PEFT's
#   5. a dpo job: its dpo.py loss on fixtures/dpo (TRL's numbers) and a run on 2 CPU processes
# JOB_PYTHON: a python with torch, transformers, peft and accelerate (default /work/venv/bin/python, else python3).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${JOB_PYTHON:-}"
if [ -z "$PY" ]; then if [ -x /work/venv/bin/python ]; then PY=/work/venv/bin/python; else PY=python3; fi; fi
if ! "$PY" -c 'import torch, transformers, peft, accelerate' 2>/dev/null; then
  echo "test:job: $PY lacks torch, transformers, peft or accelerate; install the job's requirements.txt there, or set JOB_PYTHON to a python that has them." >&2
  exit 1
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
IDS=1,5,9,20,33,47,60,71
for family in tiny-llama tiny-gpt2; do
  base="fixtures/hf-tiny/$family/base"
  job="$WORK/$family"
  echo "== $family: export-job"
  npx tabtune export-job --task lm --model "$base" --data fixtures/job/sums.jsonl --val-split 0.25 --out "$job" \
    --lora-r 4 --lora-alpha 8 --steps 12 --batch 4 --grad-accum 2 --lr 0.01 --warmup 2 --eval-every 6 --seed 7
  echo "== $family: CPU=1 NUM_PROCESSES=2 launch.sh"
  CPU=1 NUM_PROCESSES=2 MAIN_PROCESS_PORT=$((29500 + RANDOM % 1000)) PYTHON="$PY" "$job/launch.sh" 2>&1 | grep -v "Loading weights\|warn" || true
  cat "$job/output/job_result.json"; echo
  echo "== $family: PEFT logits and tabtune logits --adapter output/"
  "$PY" - "$base" "$job/output/adapter" "$IDS" > "$WORK/peft.json" <<'PYEOF'
import json, sys, torch
from peft import PeftModel
from transformers import AutoModelForCausalLM
base, adapter, ids = sys.argv[1], sys.argv[2], [int(i) for i in sys.argv[3].split(",")]
model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
with torch.no_grad():
    plain = model(torch.tensor([ids])).logits[0].tolist()
    peft = PeftModel.from_pretrained(model, adapter).eval()
    adapted = peft(torch.tensor([ids])).logits[0].tolist()
print(json.dumps({"base": plain, "adapted": adapted}))
PYEOF
  npx tabtune logits --model "$base" --adapter "$job/output" --ids "$IDS" > "$WORK/tabtune.json"
  "$PY" - "$WORK/peft.json" "$WORK/tabtune.json" "$job/output/job_result.json" <<'PYEOF'
import json, sys
peft, ours, result = (json.load(open(p)) for p in sys.argv[1:4])
diff = max(abs(a - b) for ra, rb in zip(peft["adapted"], ours["logits"]) for a, b in zip(ra, rb))
moved = max(abs(a - b) for ra, rb in zip(peft["adapted"], peft["base"]) for a, b in zip(ra, rb))
print(f"world_size {result['world_size']}, steps {result['steps']}, final_loss {result['final_loss']:.4f}; "
      f"adapter moved the logits by up to {moved:.3e}; tabtune vs PEFT max |diff| {diff:.3e}")
assert result["world_size"] == 2, "the job did not run on 2 processes"
assert moved > 1e-3, "the job's adapter changes nothing: it did not train"
assert diff < 1e-4, "tabtune's logits with the job's adapter differ from PEFT's"
PYEOF
done
echo "== dpo: the job's loss on fixtures/dpo/prefs.jsonl against TRL's numbers"
job="$WORK/dpo"
npx tabtune export-job --task dpo --model fixtures/hf-tiny/tiny-llama/base --data fixtures/dpo/prefs.jsonl --out "$job" --val-split 0 --beta 0.1 --max-len 64 --quiet
"$PY" - "$job" <<'PYEOF'
import json, sys, torch
sys.path.insert(0, sys.argv[1])
from accelerate import Accelerator
from dpo import collate_pairs, preference_loss, read_pairs
from peft import PeftModel
from transformers import AutoModelForCausalLM
job = json.load(open(f"{sys.argv[1]}/job.json"))
model = AutoModelForCausalLM.from_pretrained("fixtures/hf-tiny/tiny-llama/base", dtype=torch.float32)
model = PeftModel.from_pretrained(model, "fixtures/hf-tiny/tiny-llama/adapter").eval()
rows = read_pairs(f"{sys.argv[1]}/data/train.jsonl", 64)
want = json.load(open("fixtures/dpo/tiny-llama-reference.json"))["summary"]
with torch.no_grad():
    loss, pairs, m = preference_loss(model, collate_pairs(rows, job["data"]["pad_token_id"]), job["preference"], Accelerator(cpu=True))
print(f"{int(pairs)} pairs: loss {loss.item():.6f} (TRL {want['loss']:.6f}), rewards/margins {m['rewards/margins'].item():.6f} (TRL {want['rewards/margins']:.6f})")
assert abs(loss.item() - want["loss"]) < 1e-4 and abs(m["rewards/margins"].item() - want["rewards/margins"]) < 1e-4, "dpo.py differs from TRL"
PYEOF
echo "== dpo: a sigmoid (DPO) job on 2 CPU processes"
npx tabtune export-job --task dpo --model fixtures/hf-tiny/tiny-llama/base --data fixtures/job/prefs.jsonl --out "$job-run" \
  --lora-r 4 --steps 8 --batch 2 --lr 0.01 --eval-every 4 --val-split 0.25 --beta 0.1 --quiet
CPU=1 NUM_PROCESSES=2 MAIN_PROCESS_PORT=$((29500 + RANDOM % 1000)) PYTHON="$PY" "$job-run/launch.sh" 2>&1 | grep -v "Loading weights\|warn" || true
"$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print(r); assert r['world_size']==2 and r['final_loss'] < 0.6931" "$job-run/output/job_result.json"
npx tabtune logits --model fixtures/hf-tiny/tiny-llama/base --adapter "$job-run/output" --ids 1,2,3 > /dev/null
echo "test:job: passed"
