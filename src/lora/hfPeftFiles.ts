/**
 * A LoRA adapter on a Hugging Face causal LM as Python PEFT's files, and back:
 *   adapter_config.json          see hfPeftConfig.ts
 *   adapter_model.safetensors    base_model.model.<module path>.lora_A.weight  [r, in]
 *                                base_model.model.<module path>.lora_B.weight  [out, r]
 *                                F32, __metadata__ {"format": "pt"}, names sorted (as PEFT writes them)
 * The layout does not depend on fan_in_fan_out: lora_A and lora_B are nn.Linear weights even on
 * gpt2's Conv1D, so our LinearLora variables are copied as they are.
 * Reading accepts F32, F16 and BF16 tensors (PEFT saves in the model's dtype) and checks every name
 * and shape against the model's modules: PEFT itself only warns about a missing or misnamed tensor and
 * leaves that module untrained, so a wrong file would load without a visible error.
 */
import { EngineError } from '../errors.ts';
import { readSafetensors, writeSafetensors, type SafetensorsTensor, type TensorToWrite } from '../export/safetensors.ts';
import type { LinearModule, LmLora } from '../models/hf/hfTypes.ts';
import { tf } from '../tf.ts';
import { adapterConfigFor, loraModulesOf, serializePeftConfig, type AdapterConfigOptions } from './hfPeftConfig.ts';
import { parsePeftConfig, planFromPeftConfig, type PeftLoraConfig } from './hfPeftConfigRead.ts';
import { loraScale, type TrainPlan } from './hfPeftTargets.ts';

export const PEFT_WEIGHTS_FILE = 'adapter_model.safetensors';
export const PEFT_PREFIX = 'base_model.model.';

export interface PeftAdapterTensors {
  A: Float32Array; // [r, in], row-major
  B: Float32Array; // [out, r], row-major
  r: number;
  alpha: number;
  scale: number;
}

export interface ReadPeftAdapter {
  plan: TrainPlan;
  tensors: Map<string, PeftAdapterTensors>;
  config: PeftLoraConfig;
}

/** Writes the plan's LoRA modules as PEFT's adapter_config.json text and adapter_model.safetensors bytes. */
export async function writePeftAdapter(
  lora: LmLora,
  plan: TrainPlan,
  modules: LinearModule[],
  options: AdapterConfigOptions,
): Promise<{ config: string; safetensors: Uint8Array }> {
  const config = adapterConfigFor(plan, modules, options);
  const tensors: Record<string, TensorToWrite> = {};
  for (const { module: m, mode } of loraModulesOf(plan, modules)) {
    const ad = lora.get(m.path);
    if (!ad) throw new EngineError('peft-export-invalid', `module "${m.path}" is planned as LoRA but has no adapter weights; train or load the adapter before exporting.`);
    const wantA = [mode.r, m.inFeatures];
    const wantB = [m.outFeatures, mode.r];
    if (ad.A.shape.join() !== wantA.join() || ad.B.shape.join() !== wantB.join()) {
      throw new EngineError(
        'peft-export-invalid',
        `module "${m.path}": adapter A is [${ad.A.shape.join(', ')}] and B [${ad.B.shape.join(', ')}], but the plan's rank ${mode.r} needs A [${wantA.join(', ')}] and B [${wantB.join(', ')}]; rebuild the adapter from the plan.`,
      );
    }
    const scale = loraScale(mode.r, mode.alpha, mode.rslora);
    if (Math.abs(ad.scale - scale) > 1e-6 * Math.abs(scale)) {
      throw new EngineError('peft-export-invalid', `module "${m.path}": the adapter's scale ${ad.scale} differs from the plan's ${scale} (r ${mode.r}, alpha ${mode.alpha}${mode.rslora ? ', rsLoRA' : ''}); rebuild the adapter from the plan.`);
    }
    const name = `${PEFT_PREFIX}${m.path}`;
    tensors[`${name}.lora_A.weight`] = { dtype: 'F32', shape: wantA, data: (await ad.A.data()) as Float32Array };
    tensors[`${name}.lora_B.weight`] = { dtype: 'F32', shape: wantB, data: (await ad.B.data()) as Float32Array };
  }
  return { config: serializePeftConfig(config), safetensors: writeSafetensors(tensors, { format: 'pt' }) };
}

/** F32, F16 or BF16 safetensors data as float32 values. */
function floats(t: SafetensorsTensor, name: string, where: string): Float32Array {
  const bytes = t.data.slice(); // aligned copy
  if (t.dtype === 'F32') return new Float32Array(bytes.buffer);
  if (t.dtype === 'BF16') {
    const half = new Uint16Array(bytes.buffer);
    const bits = new Uint32Array(half.length);
    for (let i = 0; i < half.length; i++) bits[i] = (half[i] as number) << 16;
    return new Float32Array(bits.buffer);
  }
  if (t.dtype === 'F16') {
    const half = new Uint16Array(bytes.buffer);
    const out = new Float32Array(half.length);
    for (let i = 0; i < half.length; i++) {
      const h = half[i] as number;
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >> 10) & 0x1f;
      const frac = h & 0x3ff;
      out[i] = exp === 0 ? sign * frac * 2 ** -24 : exp === 31 ? (frac ? NaN : sign * Infinity) : sign * (1 + frac / 1024) * 2 ** (exp - 15);
    }
    return out;
  }
  throw new EngineError('peft-adapter-invalid', `${where}: tensor "${name}" is ${t.dtype}; LoRA weights must be F32, F16 or BF16.`);
}

/**
 * Reads PEFT's adapter files for a model with these modules. `label` names the adapter (its folder or
 * the file the person picked) in error messages.
 */
export function readPeftAdapter(configText: string, safetensorsBytes: Uint8Array, modules: LinearModule[], label: string): ReadPeftAdapter {
  const config = parsePeftConfig(configText, label);
  const where = `${label}/${PEFT_WEIGHTS_FILE}`;
  const bad = (message: string): EngineError => new EngineError('peft-adapter-invalid', `${where}: ${message}`);
  const file = readSafetensors(safetensorsBytes, where);
  const names = [...file.tensors.keys()];
  if (names.length === 0) throw bad('holds no tensors; pick the adapter_model.safetensors that PEFT wrote.');
  const unprefixed = names.find((n) => !n.startsWith(PEFT_PREFIX));
  if (unprefixed !== undefined) {
    throw bad(
      `tensor "${unprefixed}" does not start with "${PEFT_PREFIX}", so PEFT would load none of these weights (it would silently apply nothing); save the adapter with PEFT's save_pretrained, or rename the tensors to "${PEFT_PREFIX}<module path>.lora_A.weight".`,
    );
  }
  const plan = planFromPeftConfig(config, modules);
  const tensors = new Map<string, PeftAdapterTensors>();
  const used = new Set<string>();
  for (const m of modules) {
    const mode = plan[m.path];
    if (mode?.kind !== 'lora') continue;
    const get = (part: 'lora_A' | 'lora_B', shape: number[]): Float32Array => {
      const name = `${PEFT_PREFIX}${m.path}.${part}.weight`;
      const t = file.tensors.get(name);
      if (!t) throw bad(`tensor "${name}" is missing, but adapter_config.json targets module "${m.path}"; this adapter was made for another model or the file is incomplete.`);
      if (t.shape.join() !== shape.join()) {
        throw bad(`tensor "${name}" has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}] (rank ${mode.r}, module ${m.inFeatures} -> ${m.outFeatures}); this adapter was made for another model or another rank.`);
      }
      used.add(name);
      return floats(t, name, where);
    };
    const A = get('lora_A', [mode.r, m.inFeatures]);
    const B = get('lora_B', [m.outFeatures, mode.r]);
    tensors.set(m.path, { A, B, r: mode.r, alpha: mode.alpha, scale: loraScale(mode.r, mode.alpha, mode.rslora) });
  }
  if (tensors.size === 0) {
    throw new EngineError('peft-adapter-invalid', `${label}/adapter_config.json: targets none of this model's modules; this adapter was made for another model.`);
  }
  const extra = names.find((n) => !used.has(n));
  if (extra !== undefined) {
    throw bad(`tensor "${extra}" belongs to no module this adapter_config.json targets on this model; this adapter was made for another model, or it holds weights (such as DoRA magnitudes or saved modules) this app cannot apply.`);
  }
  return { plan, tensors, config };
}

/** Trainable tf.Variables from read adapter tensors; dropout comes from the plan (0 when absent). */
export function loraFromTensors(tensors: Map<string, PeftAdapterTensors>, plan?: TrainPlan): LmLora {
  const lora: LmLora = new Map();
  for (const [path, t] of tensors) {
    const inF = t.A.length / t.r;
    const outF = t.B.length / t.r;
    const mode = plan?.[path];
    lora.set(path, {
      // Variables keep their own reference to the data: tidy frees the temporary tensors. No names:
      // TF.js variable names must be unique across the process, and an adapter may be loaded twice.
      A: tf.tidy(() => tf.variable(tf.tensor2d(t.A, [t.r, inF]), true)),
      B: tf.tidy(() => tf.variable(tf.tensor2d(t.B, [outF, t.r]), true)),
      r: t.r,
      alpha: t.alpha,
      scale: t.scale,
      dropout: mode?.kind === 'lora' ? (mode.dropout ?? 0) : 0,
    });
  }
  return lora;
}
