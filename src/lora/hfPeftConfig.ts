/**
 * adapter_config.json for a LoRA adapter on a Hugging Face causal LM, written the way Python PEFT 0.21
 * writes it (every LoraConfig field, keys sorted, 2-space indent, no trailing newline) and as compact
 * as PEFT's rules allow:
 *   r, lora_alpha, lora_dropout, use_rslora   the most common values (ties: the first module)
 *   target_modules    the sorted leaf names that carry LoRA, when those names alone pick exactly the
 *                     adapted modules; else the same names with layers_to_transform (one block set for
 *                     all); else a regex string PEFT full-matches against module paths
 *   rank_pattern / alpha_pattern   full module paths of the modules whose r / alpha differ
 * PEFT has one use_rslora: a module with the other setting is written with the alpha that gives it
 * the same scale (rsLoRA alpha a at rank r == plain alpha a * sqrt(r)).
 * Every config written is read back through planFromPeftConfig before it is returned, so a module
 * can never silently get another rank or alpha in PEFT than it had here.
 */
import { EngineError } from '../errors.ts';
import type { HfArchitecture, LinearModule } from '../models/hf/hfTypes.ts';
import { planFromPeftConfig, type PeftLoraConfig } from './hfPeftConfigRead.ts';
import { loraScale, peftTargetsModule, type LmLoraMode, type TrainPlan, type PeftTargetFields } from './hfPeftTargets.ts';

export interface AdapterConfigOptions {
  arch: HfArchitecture;
  /** Where PEFT should find the base model (a Hub id or a path); null when unknown. */
  baseModelNameOrPath?: string | null;
}

/** The PEFT version whose adapter_config.json field set we write. */
export const PEFT_VERSION = '0.21.0';

/** The value seen most often; ties go to the one seen first (PEFT's config takes it as the default, patterns the rest). */
export function mostCommon<T>(values: T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0] as T;
  for (const v of values) if ((counts.get(v) ?? 0) > (counts.get(best) ?? 0)) best = v;
  return best;
}

const closeTo = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The LoRA modules of the plan, in module order; refuses plans PEFT cannot express. */
export function loraModulesOf(plan: TrainPlan, modules: LinearModule[]): { module: LinearModule; mode: LmLoraMode }[] {
  const byPath = new Map(modules.map((m) => [m.path, m]));
  for (const [path, mode] of Object.entries(plan)) {
    if (!byPath.has(path)) throw new EngineError('peft-plan-invalid', `the plan names module "${path}", which this model does not have; rebuild the plan from the loaded model.`);
    if (mode.kind === 'full') {
      throw new EngineError(
        'peft-export-unsupported',
        `module "${path}" is trained in full, and a PEFT LoRA adapter can only hold LoRA weights; export the merged model instead, or plan that module as LoRA or frozen.`,
      );
    }
  }
  const out = modules.flatMap((m) => {
    const mode = plan[m.path];
    return mode?.kind === 'lora' ? [{ module: m, mode }] : [];
  });
  if (out.length === 0) throw new EngineError('peft-export-unsupported', 'the plan has no LoRA modules, so there is no adapter to export; plan at least one module as LoRA.');
  return out;
}

/** Index of the path segment that is the module's block number, or -1. */
function layerSegment(m: LinearModule): number {
  return m.layer === null ? -1 : m.path.split('.').indexOf(String(m.layer));
}

/** A full-match regex for exactly these modules, one alternative per path shape with the block numbers grouped. */
function targetRegex(adapted: LinearModule[]): string {
  const groups = new Map<string, { parts: string[]; at: number; layers: number[] }>();
  for (const m of adapted) {
    const parts = m.path.split('.');
    const at = layerSegment(m);
    const key = parts.map((p, i) => (i === at ? '*' : p)).join('.');
    const g = groups.get(key) ?? { parts, at, layers: [] };
    if (at >= 0) g.layers.push(m.layer as number);
    groups.set(key, g);
  }
  const alternatives = [...groups.values()].map(({ parts, at, layers }) => {
    const sorted = [...new Set(layers)].sort((a, b) => a - b);
    const layerRe = sorted.length === 1 ? String(sorted[0]) : `(?:${sorted.join('|')})`;
    return parts.map((p, i) => (i === at ? layerRe : escapeRegex(p))).join('\\.');
  });
  return alternatives.sort().join('|');
}

/** The most compact target fields that make PEFT adapt exactly `adapted` among `modules`. */
function targetFields(adapted: LinearModule[], modules: LinearModule[]): PeftTargetFields {
  const want = new Set(adapted.map((m) => m.path));
  const exact = (f: PeftTargetFields): boolean => modules.every((m) => peftTargetsModule(f, m.path) === want.has(m.path));
  const names = [...new Set(adapted.map((m) => m.name))].sort();
  const plain: PeftTargetFields = { target_modules: names, layers_to_transform: null, layers_pattern: null };
  if (exact(plain)) return plain;
  // Modules outside the blocks (lm_head) can stay: PEFT skips the block filter for an exact name.
  const inBlocks = adapted.filter((m) => m.layer !== null && layerSegment(m) > 0);
  if (inBlocks.length > 0) {
    const layers = [...new Set(inBlocks.map((m) => m.layer as number))].sort((a, b) => a - b);
    const containers = new Set(inBlocks.map((m) => m.path.split('.')[layerSegment(m) - 1] as string));
    const layered: PeftTargetFields = {
      target_modules: names,
      layers_to_transform: layers,
      layers_pattern: containers.size === 1 ? ([...containers][0] as string) : null,
    };
    if (exact(layered)) return layered;
  }
  return { target_modules: targetRegex(adapted), layers_to_transform: null, layers_pattern: null };
}

/** adapter_config.json's fields for the plan's LoRA modules (see the file comment). */
export function adapterConfigFor(plan: TrainPlan, modules: LinearModule[], options: AdapterConfigOptions): PeftLoraConfig {
  const lora = loraModulesOf(plan, modules);
  const useRslora = mostCommon(lora.map(({ mode }) => mode.rslora ?? false));
  const effAlpha = (mode: LmLoraMode): number => {
    const rs = mode.rslora ?? false;
    return rs === useRslora ? mode.alpha : rs ? mode.alpha * Math.sqrt(mode.r) : mode.alpha / Math.sqrt(mode.r);
  };
  const r = mostCommon(lora.map(({ mode }) => mode.r));
  const alpha = mostCommon(lora.map(({ mode }) => effAlpha(mode)));
  const rankPattern: Record<string, number> = {};
  const alphaPattern: Record<string, number> = {};
  for (const { module, mode } of lora) {
    if (mode.r !== r) rankPattern[module.path] = mode.r;
    if (effAlpha(mode) !== alpha) alphaPattern[module.path] = effAlpha(mode);
  }
  const targets = targetFields(lora.map(({ module }) => module), modules);
  const config: PeftLoraConfig = {
    alora_invocation_tokens: null,
    alpha_pattern: alphaPattern,
    arrow_config: null,
    auto_mapping: null,
    base_model_name_or_path: options.baseModelNameOrPath ?? null,
    bias: 'none',
    corda_config: null,
    ensure_weight_tying: false,
    eva_config: null,
    exclude_modules: null,
    fan_in_fan_out: lora.some(({ module }) => module.fanInFanOut) || options.arch === 'gpt2',
    inference_mode: true,
    init_lora_weights: true,
    kasa_config: null,
    layer_replication: null,
    layers_pattern: targets.layers_pattern ?? null,
    layers_to_transform: targets.layers_to_transform ?? null,
    loftq_config: {},
    lora_alpha: alpha,
    lora_bias: false,
    lora_dropout: mostCommon(lora.map(({ mode }) => mode.dropout ?? 0)),
    lora_ga_config: null,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    monteclora_config: null,
    peft_type: 'LORA',
    peft_version: PEFT_VERSION,
    qalora_group_size: 16,
    r,
    rank_pattern: rankPattern,
    revision: null,
    target_modules: targets.target_modules,
    target_parameters: null,
    task_type: 'CAUSAL_LM',
    trainable_token_indices: null,
    use_bdlora: null,
    use_dora: false,
    use_qalora: false,
    use_rslora: useRslora,
    velora_config: null,
  };

  // Read it back as PEFT would: every module must get the rank and scale it has here.
  const back = planFromPeftConfig(config, modules);
  for (const m of modules) {
    const mine = plan[m.path];
    const theirs = back[m.path];
    const same =
      mine?.kind === 'lora'
        ? theirs?.kind === 'lora' && theirs.r === mine.r && closeTo(loraScale(theirs.r, theirs.alpha, theirs.rslora), loraScale(mine.r, mine.alpha, mine.rslora))
        : theirs?.kind !== 'lora';
    if (!same) throw new EngineError('internal', `adapter_config.json would give module "${m.path}" a different LoRA setting in PEFT than it was trained with; please report this.`);
  }
  return config;
}

/** Python's repr of a float (json.dumps writes 0.0, 0.05, 1e-05). */
function pyFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x).replace(/e([+-])(\d)$/, 'e$10$2');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** The config as PEFT's save_pretrained writes it: json.dumps(indent=2, sort_keys=True), ASCII only, no final newline. */
export function serializePeftConfig(config: PeftLoraConfig): string {
  const text = JSON.stringify(sortKeys(config), null, 2)
    .replace(/^( {2}"lora_dropout": )(-?[\d.e+-]+)(,?)$/m, (_, head: string, num: string, tail: string) => `${head}${pyFloat(Number(num))}${tail}`);
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
