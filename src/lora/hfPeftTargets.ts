/**
 * The adapter plan of a Hugging Face causal LM, and Python PEFT's (0.21) rules for which modules a
 * LoraConfig adapts and with which rank and alpha:
 *   target_modules list   a module path matches when it equals an entry or ends with `.entry`
 *   target_modules str    a regex that must match the whole module path (re.fullmatch)
 *   layers_to_transform   (list targets only) keeps modules whose block index is listed; the index
 *                         is the number after `.<layers_pattern>.` (any segment when unset)
 *   exclude_modules       the same list/str rules, applied first
 *   rank_pattern / alpha_pattern   the first key `k` (in file order) with `(.*\.)?(k)$` matching the
 *                         path from its start gives the module's r / lora_alpha (get_pattern_key)
 * Paths are Hugging Face's module names without PEFT's `base_model.model.` prefix.
 */
import { EngineError } from '../errors.ts';
import { hfFamily } from '../models/hf/hfFamilies.ts';
import type { HfArchitecture, LinearModule } from '../models/hf/hfTypes.ts';

export interface LmLoraMode {
  kind: 'lora';
  r: number;
  alpha: number;
  dropout?: number;
  /** rsLoRA: scale alpha / sqrt(r) instead of alpha / r. */
  rslora?: boolean;
}
export type ModuleMode = { kind: 'frozen' } | { kind: 'full' } | LmLoraMode;

/** Module path -> what training does to it. Modules the plan does not name are frozen. */
export type TrainPlan = Record<string, ModuleMode>;

/** PEFT's string shorthand for every linear layer but the output head. */
export const ALL_LINEAR = 'all-linear';

/** PEFT's default target_modules (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING), from the family's registry entry. */
export function defaultTargetModules(arch: HfArchitecture): string[] {
  return [...hfFamily(arch).peftTargets];
}

const regexError = (what: string, pattern: string, e: unknown): EngineError =>
  new EngineError(
    'peft-pattern-invalid',
    `${what} ${JSON.stringify(pattern)} is not a regular expression this app can read (${(e as Error).message}); write it with plain regex syntax (no Python-only constructs such as (?P<name>...)).`,
  );

const regexCache = new Map<string, RegExp>();
function compile(source: string, what: string, pattern: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    try {
      re = new RegExp(source);
    } catch (e) {
      throw regexError(what, pattern, e);
    }
    regexCache.set(source, re);
  }
  return re;
}

/** Python's re.fullmatch(pattern, text). */
export function fullMatch(pattern: string, text: string, what = 'target_modules'): boolean {
  return compile(`^(?:${pattern})$`, what, pattern).test(text);
}

/** PEFT's target_modules test on its own: list = exact name or `.name` suffix, string = full regex match. */
export function matchesTarget(path: string, targets: string[] | string): boolean {
  if (typeof targets === 'string') return fullMatch(targets, path);
  return targets.includes(path) || targets.some((t) => path.endsWith(`.${t}`));
}

/**
 * PEFT's get_pattern_key: the value of the first key (in insertion order) that matches the end of
 * `path` at a dot boundary, `(.*\.)?(key)$` from the start of the path; undefined when none does.
 */
export function resolvePattern<T>(pattern: Record<string, T> | null | undefined, path: string): T | undefined {
  if (!pattern) return undefined;
  for (const [key, value] of Object.entries(pattern)) {
    if (compile(`^(?:.*\\.)?(?:${key})$`, 'rank_pattern/alpha_pattern key', key).test(path)) return value;
  }
  return undefined;
}

/** The target fields of a LoraConfig that decide which modules are adapted. */
export interface PeftTargetFields {
  target_modules: string[] | string | null;
  layers_to_transform?: number[] | number | null;
  layers_pattern?: string[] | string | null;
  exclude_modules?: string[] | string | null;
}

/** Expands PEFT's 'all-linear' into the leaf names of every module but the output head (lm_head). */
export function expandAllLinear(modules: LinearModule[]): string[] {
  return [...new Set(modules.filter((m) => m.path !== 'lm_head').map((m) => m.name))].sort();
}

/** PEFT's check_target_module_exists (LoRA, no modules_to_save). */
export function peftTargetsModule(fields: PeftTargetFields, path: string): boolean {
  const ex = fields.exclude_modules;
  if (ex && ex.length > 0) {
    if (typeof ex === 'string' ? fullMatch(ex, path, 'exclude_modules') : ex.includes(path) || ex.some((e) => path.endsWith(`.${e}`))) return false;
  }
  const targets = fields.target_modules;
  if (targets === null) return false;
  if (typeof targets === 'string') return fullMatch(targets, path);
  if (targets.includes(path)) return true;
  if (!targets.some((t) => path.endsWith(`.${t}`))) return false;
  const layers = fields.layers_to_transform;
  const usingLayers = layers !== null && layers !== undefined && (typeof layers === 'number' || layers.length > 0);
  if (!usingLayers) return true;
  const lp = fields.layers_pattern;
  let index: RegExpExecArray | null = null;
  if (lp === null || lp === undefined || lp.length === 0) {
    index = /^.*\.[^.]*\.(\d+)\./.exec(path);
  } else {
    for (const p of typeof lp === 'string' ? [lp] : lp) {
      index = compile(`^.*\\.${p}\\.(\\d+)\\.`, 'layers_pattern', p).exec(path);
      if (index) break;
    }
  }
  if (!index) return false;
  const n = Number(index[1]);
  return typeof layers === 'number' ? n === layers : layers.includes(n);
}

export interface PlanFromTargetsOptions {
  /** A list of leaf names / path suffixes, a full-match regex, or 'all-linear'. */
  targets: string[] | string;
  r: number;
  alpha: number;
  dropout?: number;
  rslora?: boolean;
  rankPattern?: Record<string, number>;
  alphaPattern?: Record<string, number>;
}

/** The plan PEFT's LoraConfig(target_modules, r, lora_alpha, rank_pattern, alpha_pattern) gives these modules. */
export function planFromTargets(modules: LinearModule[], options: PlanFromTargetsOptions): TrainPlan {
  const targets = typeof options.targets === 'string' && options.targets.toLowerCase() === ALL_LINEAR ? expandAllLinear(modules) : options.targets;
  const plan: TrainPlan = {};
  for (const m of modules) {
    if (!matchesTarget(m.path, targets)) {
      plan[m.path] = { kind: 'frozen' };
      continue;
    }
    const mode: LmLoraMode = {
      kind: 'lora',
      r: resolvePattern(options.rankPattern, m.path) ?? options.r,
      alpha: resolvePattern(options.alphaPattern, m.path) ?? options.alpha,
    };
    if (options.dropout !== undefined) mode.dropout = options.dropout;
    if (options.rslora !== undefined) mode.rslora = options.rslora;
    plan[m.path] = mode;
  }
  return plan;
}

/** LoRA scale: alpha / r, or alpha / sqrt(r) with rsLoRA. */
export function loraScale(r: number, alpha: number, rslora = false): number {
  return rslora ? alpha / Math.sqrt(r) : alpha / r;
}

/** Trainable parameters: r * (in + out) per LoRA module, in * out (+ out for a bias) per fully trained module. */
export function countLmTrainable(modules: LinearModule[], plan: TrainPlan): number {
  let total = 0;
  for (const m of modules) {
    const mode = plan[m.path];
    if (mode?.kind === 'lora') total += mode.r * (m.inFeatures + m.outFeatures);
    else if (mode?.kind === 'full') total += m.inFeatures * m.outFeatures + (m.hasBias ? m.outFeatures : 0);
  }
  return total;
}
