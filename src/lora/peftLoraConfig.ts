/** PEFT's adapter files and their adapter_config.json: names, the fields we write, and the parser. */
import { EngineError, showValue } from '../errors.ts';

export const PEFT_CONFIG_FILE = 'adapter_config.json';
export const PEFT_WEIGHTS_FILE = 'adapter_model.safetensors';
/** Tensor names start with this: PeftModel wraps the base model as base_model.model. */
export const PEFT_PREFIX = 'base_model.model.';

export interface PeftAdapterFiles {
  'adapter_config.json': string;
  'adapter_model.safetensors': Uint8Array;
}

/** The adapter_config.json we write (and the fields we read back). */
export interface PeftLoraConfig {
  peft_type: 'LORA';
  task_type: string | null;
  base_model_name_or_path: string | null;
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: string[];
  rank_pattern: Record<string, number>;
  alpha_pattern: Record<string, number>;
  use_rslora: boolean;
  bias: 'none';
  fan_in_fan_out: false;
  init_lora_weights: boolean;
  use_dora: false;
  inference_mode: true;
  modules_to_save: string[] | null;
}

export const peftInvalid = (message: string): EngineError => new EngineError('peft-adapter-invalid', message);

const isRecordOfNumbers = (v: unknown): v is Record<string, number> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((n) => typeof n === 'number');

/** adapter_config.json, checked: what we can import, with PEFT's defaults filled in. Throws 'peft-adapter-invalid'. */
export function parsePeftLoraConfig(text: string): PeftLoraConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw peftInvalid(`${PEFT_CONFIG_FILE}: not valid JSON (${(e as Error).message}).`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw peftInvalid(`${PEFT_CONFIG_FILE}: not a JSON object.`);
  const c = raw as Record<string, unknown>;
  const where = PEFT_CONFIG_FILE;
  if (c.peft_type !== 'LORA') throw peftInvalid(`${where}: peft_type is ${showValue(c.peft_type)}; only "LORA" adapters can be imported.`);
  if (!Array.isArray(c.target_modules) || !c.target_modules.every((t) => typeof t === 'string')) {
    throw peftInvalid(`${where}: target_modules must be a list of layer names (a regular expression is not supported).`);
  }
  if (!(Number.isInteger(c.r) && (c.r as number) >= 1)) throw peftInvalid(`${where}: r = ${showValue(c.r)} must be a whole number >= 1.`);
  if (typeof c.lora_alpha !== 'number' || !(c.lora_alpha > 0)) throw peftInvalid(`${where}: lora_alpha = ${showValue(c.lora_alpha)} must be a positive number.`);
  if (c.fan_in_fan_out === true) throw peftInvalid(`${where}: fan_in_fan_out = true (GPT-2 Conv1D weights) is not supported.`);
  if (c.bias !== undefined && c.bias !== 'none') throw peftInvalid(`${where}: bias = ${showValue(c.bias)}; only "none" is supported.`);
  if (c.use_dora === true) throw peftInvalid(`${where}: DoRA adapters (use_dora = true) are not supported.`);
  const rankPattern = c.rank_pattern ?? {};
  const alphaPattern = c.alpha_pattern ?? {};
  if (!isRecordOfNumbers(rankPattern)) throw peftInvalid(`${where}: rank_pattern must map layer names to ranks.`);
  if (!isRecordOfNumbers(alphaPattern)) throw peftInvalid(`${where}: alpha_pattern must map layer names to alphas.`);
  const targets = c.target_modules as string[];
  for (const key of [...Object.keys(rankPattern), ...Object.keys(alphaPattern)]) {
    if (!targets.includes(key)) throw peftInvalid(`${where}: rank_pattern/alpha_pattern key "${key}" is not one of target_modules (${targets.join(', ')}).`);
  }
  const mts = c.modules_to_save ?? null;
  if (mts !== null && !(Array.isArray(mts) && mts.every((t) => typeof t === 'string'))) throw peftInvalid(`${where}: modules_to_save must be null or a list of layer names.`);
  const dropout = c.lora_dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw peftInvalid(`${where}: lora_dropout = ${showValue(dropout)} must be in [0, 1).`);
  const base = c.base_model_name_or_path ?? null;
  return {
    peft_type: 'LORA',
    task_type: typeof c.task_type === 'string' ? c.task_type : null,
    base_model_name_or_path: typeof base === 'string' ? base : null,
    r: c.r as number,
    lora_alpha: c.lora_alpha,
    lora_dropout: dropout,
    target_modules: targets,
    rank_pattern: rankPattern,
    alpha_pattern: alphaPattern,
    use_rslora: c.use_rslora === true,
    bias: 'none',
    fan_in_fan_out: false,
    init_lora_weights: c.init_lora_weights !== false,
    use_dora: false,
    inference_mode: true,
    modules_to_save: mts as string[] | null,
  };
}
