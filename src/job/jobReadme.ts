/** README.md of an exported job: what is in the folder and how to run it on 1 GPU, 8 GPUs and several nodes. */
import type { JobSpec } from './jobSpec.ts';

export function jobReadme(spec: JobSpec, loraSummary: string): string {
  const m = spec.model;
  const h = spec.hyperparameters;
  const model = m.hub_id
    ? `\`${m.hub_id}\`${m.revision ? ` (revision \`${m.revision}\`)` : ''} from the Hugging Face Hub (from_pretrained downloads it), unless a folder is copied into \`${m.path}/\`.`
    : m.url
      ? `the files at ${m.url}: download config.json and the safetensors into \`${m.path}/\` before you start.`
      : `the folder the tab read (${m.name}): copy it (config.json, model.safetensors or its shards) into \`${m.path}/\`${m.local_path ? `; on this machine train.py also finds it at \`${m.local_path}\`` : ''}.`;
  return `# Tabtune job: ${m.name}

This folder reproduces a LoRA run of the Tabtune studio with PyTorch, transformers, PEFT and
Accelerate, on one GPU, many GPUs or many machines. Its adapter comes back into the studio.

- Model: ${model} \`MODEL=<folder or Hub id>\` overrides it.
- Data: \`${spec.data.train}\` (${spec.data.train_rows} rows) and \`${spec.data.validation}\` (${spec.data.validation_rows} rows),
  the tab's split of \`${spec.data.source.name}\` (${spec.data.source.format}, validation ${spec.data.source.validation_fraction}, seed ${spec.data.source.seed}).
  ${dataLine(spec)}
- Plan: \`${spec.lora_config}/adapter_config.json\` is the PEFT LoraConfig: ${loraSummary}.
- Training (\`job.json\`): AdamW lr ${h.learning_rate}, ${h.lr_scheduler_type} schedule with ${h.warmup_steps} warm-up steps,
  weight decay ${h.weight_decay}, clipping ${h.max_grad_norm || 'off'}, batch ${h.per_device_train_batch_size} per process x ${h.gradient_accumulation_steps} accumulation,
  ${h.max_steps} optimizer steps, validation every ${h.eval_steps || h.max_steps} steps, seed ${h.seed}.
  With N processes each step sees N times the tab's batch (as transformers' Trainer counts it); lower the
  batch or the steps in \`job.json\` to keep the number of examples seen.

## Run it

\`\`\`sh
python3 -m pip install -r requirements.txt
./launch.sh                                        # one GPU (or one CPU process)
NUM_PROCESSES=8 ./launch.sh                        # eight GPUs on one machine
# two machines with 8 GPUs each: on each one, with its own MACHINE_RANK (0 on the main one)
NUM_PROCESSES=16 NUM_MACHINES=2 MACHINE_RANK=0 MAIN_PROCESS_IP=10.0.0.1 MAIN_PROCESS_PORT=29500 ./launch.sh
FSDP=1 NUM_PROCESSES=8 ./launch.sh                 # shard a model that does not fit one GPU
CPU=1 NUM_PROCESSES=2 ./launch.sh                  # a data-parallel smoke run on two CPU processes (gloo)
\`\`\`

## What comes back

- \`${spec.output_dir}/adapter/\`: the PEFT adapter (\`adapter_config.json\`, \`adapter_model.safetensors\`).
- \`${spec.output_dir}/trainer_state.json\`: the loss at every step and the validation loss (\`log_history\`).
- \`${spec.output_dir}/job_result.json\`: \`world_size\`, \`steps\`, \`final_loss\`.

Drop the \`${spec.output_dir}/\` folder on the studio's "Import a job's output" zone to try, export or keep training the
adapter there, or read it with \`npx tabtune logits --model <model> --adapter ${spec.output_dir}/adapter --ids 1,2,3\`.
`;
}

function dataLine(spec: JobSpec): string {
  const d = spec.data;
  const p = spec.preference;
  if (p) {
    return `Each line holds a preference pair as the tab tokenized it (\`chosen_ids\`, \`rejected_ids\`, \`prompt_length\`), at most ${d.max_length} tokens.
  Objective (\`dpo.py\`, as TRL computes it): ${p.loss}, beta ${p.beta}${p.label_smoothing ? `, label smoothing ${p.label_smoothing}` : ''}${p.loss === 'simpo' ? `, gamma ${p.simpo_gamma}` : ''}; the reference is the base model (the adapter switched off).`;
  }
  return `Each line holds \`input_ids\` and \`loss_mask\` as the tab tokenized them; the loss is taken where the mask is 1
  (completions and assistant turns${d.train_on_prompt ? ', and prompts: train-on-prompt was on' : ''}), at most ${d.max_length} tokens${d.packing ? ', packed' : ''}.`;
}
