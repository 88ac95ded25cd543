/**
 * The job folder's launch files: launch.sh (accelerate launch with the cluster's variables),
 * accelerate.yaml (data parallel), accelerate_fsdp.yaml (sharded, full state dict at the end),
 * requirements.txt (pinned to the stack the end-to-end check ran with, scripts/jobE2e.sh).
 */

/** The versions `npm run test:job` ran the job with (transformers 5 reads `dtype=` in from_pretrained). */
export const JOB_REQUIREMENTS = ['torch==2.13.0', 'transformers==5.18.0', 'peft==0.21.0', 'accelerate==1.15.0'];

export const REQUIREMENTS_TXT = `# The job needs these four and nothing else (no datasets, no TRL).\n${JOB_REQUIREMENTS.join('\n')}\n`;

export const LAUNCH_SH = `#!/usr/bin/env bash
# Starts train.py with accelerate launch. Environment:
#   NUM_PROCESSES      processes in all, over every machine (default 1; e.g. 8 on one 8-GPU node, 16 on two)
#   NUM_MACHINES       machines (default 1)
#   MACHINE_RANK       this machine's rank, 0 .. NUM_MACHINES-1 (default 0)
#   MAIN_PROCESS_IP    the rank-0 machine's address (default 127.0.0.1)
#   MAIN_PROCESS_PORT  its port (default 29500)
#   CPU=1              processes on CPU cores over gloo (a data-parallel smoke run without GPUs)
#   FSDP=1             shard the model (accelerate_fsdp.yaml) instead of replicating it
#   MODEL              a model folder or Hub id instead of job.json's
#   PYTHON             the python to run (default python3)
set -euo pipefail
cd "$(dirname "$0")"
NUM_PROCESSES="\${NUM_PROCESSES:-1}"
NUM_MACHINES="\${NUM_MACHINES:-1}"
MACHINE_RANK="\${MACHINE_RANK:-0}"
MAIN_PROCESS_IP="\${MAIN_PROCESS_IP:-127.0.0.1}"
MAIN_PROCESS_PORT="\${MAIN_PROCESS_PORT:-29500}"
PYTHON="\${PYTHON:-python3}"
CONFIG=accelerate.yaml
if [ "\${FSDP:-0}" = "1" ] && [ "\${CPU:-0}" = "1" ]; then
  echo "launch.sh: FSDP=1 needs GPUs (Accelerate's FSDP has no CPU mode); for a smoke run on CPU processes use CPU=1 without FSDP=1." >&2
  exit 2
fi
if [ "\${FSDP:-0}" = "1" ]; then CONFIG=accelerate_fsdp.yaml; fi
args=(--config_file "$CONFIG" --num_processes "$NUM_PROCESSES" --num_machines "$NUM_MACHINES"
  --machine_rank "$MACHINE_RANK" --main_process_ip "$MAIN_PROCESS_IP" --main_process_port "$MAIN_PROCESS_PORT")
if [ "\${CPU:-0}" = "1" ]; then
  # CPU processes: accelerate's multi-process launcher (torch.distributed.run) as for GPUs, and
  # train.py asks Accelerator for the CPU, which then talks over gloo instead of NCCL.
  # (accelerate launch --cpu would start one process, or go through MPI.)
  export CPU=1
  export OMP_NUM_THREADS="\${OMP_NUM_THREADS:-1}"
  if [ "$NUM_PROCESSES" -eq 1 ] && [ "$NUM_MACHINES" -eq 1 ]; then args=(--cpu --num_processes 1 --num_machines 1); fi
elif [ "$NUM_PROCESSES" -eq 1 ] && [ "$NUM_MACHINES" -eq 1 ] && [ "\${FSDP:-0}" != "1" ]; then
  args=(--num_processes 1 --num_machines 1)
fi
exec "$PYTHON" -m accelerate.commands.launch "\${args[@]}" train.py
`;

export const ACCELERATE_YAML = `# Data parallel (DDP): one copy of the model per process. launch.sh sets the process counts.
compute_environment: LOCAL_MACHINE
distributed_type: MULTI_GPU
mixed_precision: 'no'
num_machines: 1
num_processes: 2
machine_rank: 0
main_training_function: main
rdzv_backend: static
same_network: true
use_cpu: false
`;

export const ACCELERATE_FSDP_YAML = `# Fully sharded data parallel (FSDP) for a model that does not fit one GPU: the frozen base and
# the LoRA weights are sharded over the processes; the full state dict is gathered at the end so
# output/adapter/ is a plain PEFT adapter. Start with FSDP=1 ./launch.sh.
compute_environment: LOCAL_MACHINE
distributed_type: FSDP
mixed_precision: 'no'
num_machines: 1
num_processes: 2
machine_rank: 0
main_training_function: main
rdzv_backend: static
same_network: true
use_cpu: false
fsdp_config:
  fsdp_version: 1
  fsdp_auto_wrap_policy: TRANSFORMER_BASED_WRAP
  fsdp_backward_prefetch: BACKWARD_PRE
  fsdp_cpu_ram_efficient_loading: false
  fsdp_forward_prefetch: false
  fsdp_offload_params: false
  fsdp_sharding_strategy: FULL_SHARD
  fsdp_state_dict_type: FULL_STATE_DICT
  fsdp_sync_module_states: true
  # LoRA leaves most parameters frozen: FSDP must keep the original parameters to mix them.
  fsdp_use_orig_params: true
`;
