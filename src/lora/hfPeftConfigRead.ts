/**
 * Reading a PEFT LoRA adapter_config.json: the fields that decide which modules are adapted and how,
 * checked against what this app can apply faithfully. Anything that would make PEFT compute something
 * other than y = base(x) + scale * B A x (DoRA, LoRA biases, modules_to_save, trainable tokens,
 * LoRA variants) is refused with a sentence saying so, rather than loaded wrong.
 */
import { EngineError, showValue } from '../errors.ts';
import type { LinearModule } from '../models/hf/hfTypes.ts';
import { ALL_LINEAR, expandAllLinear, peftTargetsModule, resolvePattern, type LmLoraMode, type TrainPlan } from './hfPeftTargets.ts';

/** adapter_config.json: the LoraConfig fields we read and write (PEFT 0.21 writes all of these). */
export interface PeftLoraConfig {
  peft_type: 'LORA';
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: string[] | string | null;
  layers_to_transform: number[] | number | null;
  layers_pattern: string[] | string | null;
  exclude_modules: string[] | string | null;
  rank_pattern: Record<string, number>;
  alpha_pattern: Record<string, number>;
  use_rslora: boolean;
  use_dora: boolean;
  bias: string;
  lora_bias: boolean;
  fan_in_fan_out: boolean;
  base_model_name_or_path: string | null;
  task_type: string | null;
  modules_to_save: string[] | null;
  [key: string]: unknown;
}

export const PEFT_CONFIG_FILE = 'adapter_config.json';

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((t) => typeof t === 'string');
const isNumberRecord = (v: unknown): v is Record<string, number> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((n) => typeof n === 'number');
const isSet = (v: unknown): boolean =>
  v !== null && v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

/** LoRA variants and extras PEFT applies at inference that this app does not implement. */
const UNSUPPORTED: [key: string, what: string][] = [
  ['modules_to_save', 'saves whole trained modules next to the LoRA weights (modules_to_save)'],
  ['trainable_token_indices', 'trains individual token embeddings (trainable_token_indices)'],
  ['target_parameters', 'puts LoRA on raw parameters (target_parameters)'],
  ['layer_replication', 'replicates blocks (layer_replication)'],
  ['alora_invocation_tokens', 'is an activated LoRA (alora_invocation_tokens)'],
  ['arrow_config', 'is an Arrow LoRA router (arrow_config)'],
  ['use_qalora', 'is a QA-LoRA adapter (use_qalora)'],
  ['use_bdlora', 'is a block-diagonal LoRA (use_bdlora)'],
  ['kasa_config', 'is a KaSA adapter (kasa_config)'],
  ['velora_config', 'is a VeLoRA adapter (velora_config)'],
  ['monteclora_config', 'is a MonteCLoRA adapter (monteclora_config)'],
];

/** Parses and checks adapter_config.json. `label` names the adapter (e.g. its folder) in messages. */
export function parsePeftConfig(text: string, label: string): PeftLoraConfig {
  const where = `${label}/${PEFT_CONFIG_FILE}`;
  const bad = (message: string): EngineError => new EngineError('peft-adapter-invalid', `${where}: ${message}`);
  const unsupported = (message: string): EngineError => new EngineError('peft-adapter-unsupported', `${where}: ${message}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message}); pick the adapter_config.json that PEFT's save_pretrained wrote.`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('not a JSON object; pick the adapter_config.json that PEFT wrote.');
  const c = raw as Record<string, unknown>;
  if (c.peft_type !== 'LORA') throw unsupported(`peft_type is ${showValue(c.peft_type)}; only LoRA adapters (peft_type "LORA") can be loaded.`);
  if (c.use_dora === true) throw unsupported('this is a DoRA adapter (use_dora: true), which this app cannot apply; train or export a plain LoRA adapter instead.');
  if (c.bias !== undefined && c.bias !== null && c.bias !== 'none') throw unsupported(`bias is ${showValue(c.bias)}; only adapters with bias "none" can be loaded (retrain with bias="none").`);
  if (c.lora_bias === true) throw unsupported('lora_bias is true (the adapter carries a bias on lora_B), which this app cannot apply; retrain with lora_bias=False.');
  for (const [key, what] of UNSUPPORTED) {
    if (isSet(c[key])) throw unsupported(`this adapter ${what}, which this app cannot apply; use a plain LoRA adapter, or merge it into the model in Python and load the merged model.`);
  }
  const target = c.target_modules ?? null;
  if (target === null) throw bad('target_modules is missing, so the adapter names no modules to adapt.');
  if (typeof target !== 'string' && !isStrings(target)) throw bad('target_modules must be a list of module names or one regular expression string.');
  if (!(Number.isInteger(c.r) && (c.r as number) >= 1)) throw bad(`r = ${showValue(c.r)}; the rank must be a whole number >= 1.`);
  const alpha = c.lora_alpha ?? 8;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw bad(`lora_alpha = ${showValue(c.lora_alpha)} must be a number.`);
  const dropout = c.lora_dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw bad(`lora_dropout = ${showValue(dropout)} must be in [0, 1).`);
  const rankPattern = c.rank_pattern ?? {};
  const alphaPattern = c.alpha_pattern ?? {};
  if (!isNumberRecord(rankPattern)) throw bad('rank_pattern must map module names to ranks.');
  if (!isNumberRecord(alphaPattern)) throw bad('alpha_pattern must map module names to alphas.');
  for (const [key, r] of Object.entries(rankPattern)) {
    if (!(Number.isInteger(r) && r >= 1)) throw bad(`rank_pattern["${key}"] = ${r}; a rank must be a whole number >= 1.`);
  }
  const layers = c.layers_to_transform ?? null;
  if (layers !== null && !Number.isInteger(layers) && !(Array.isArray(layers) && layers.every((n) => Number.isInteger(n)))) {
    throw bad('layers_to_transform must be a block number or a list of block numbers.');
  }
  const layersPattern = c.layers_pattern ?? null;
  if (layersPattern !== null && typeof layersPattern !== 'string' && !isStrings(layersPattern)) throw bad('layers_pattern must be a name or a list of names.');
  const exclude = c.exclude_modules ?? null;
  if (exclude !== null && typeof exclude !== 'string' && !isStrings(exclude)) throw bad('exclude_modules must be a list of module names or one regular expression string.');
  if (c.use_rslora !== undefined && typeof c.use_rslora !== 'boolean') throw bad('use_rslora must be true or false.');
  return {
    ...c,
    peft_type: 'LORA',
    r: c.r as number,
    lora_alpha: alpha,
    lora_dropout: dropout,
    target_modules: target,
    layers_to_transform: layers as number[] | number | null,
    layers_pattern: layersPattern,
    exclude_modules: exclude,
    rank_pattern: rankPattern,
    alpha_pattern: alphaPattern,
    use_rslora: c.use_rslora === true,
    use_dora: false,
    bias: 'none',
    lora_bias: false,
    fan_in_fan_out: c.fan_in_fan_out === true,
    base_model_name_or_path: typeof c.base_model_name_or_path === 'string' ? c.base_model_name_or_path : null,
    task_type: typeof c.task_type === 'string' ? c.task_type : null,
    modules_to_save: null,
  };
}

/** The plan PEFT builds from this config on these modules: which get LoRA, with which r and alpha. */
export function planFromPeftConfig(config: PeftLoraConfig, modules: LinearModule[]): TrainPlan {
  const target =
    typeof config.target_modules === 'string' && config.target_modules.toLowerCase() === ALL_LINEAR ? expandAllLinear(modules) : config.target_modules;
  const fields = { ...config, target_modules: target };
  const plan: TrainPlan = {};
  for (const m of modules) {
    if (!peftTargetsModule(fields, m.path)) {
      plan[m.path] = { kind: 'frozen' };
      continue;
    }
    const mode: LmLoraMode = {
      kind: 'lora',
      r: resolvePattern(config.rank_pattern, m.path) ?? config.r,
      alpha: resolvePattern(config.alpha_pattern, m.path) ?? config.lora_alpha,
      dropout: config.lora_dropout,
      rslora: config.use_rslora,
    };
    plan[m.path] = mode;
  }
  return plan;
}
