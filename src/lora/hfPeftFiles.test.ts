import { readFileSync } from 'node:fs';

import { beforeAll, describe, expect, it } from 'vitest';

import { readSafetensors, writeSafetensors, type TensorToWrite } from '../export/safetensors.ts';
import type { LinearModule, LmLora } from '../models/hf/hfTypes.ts';
import { tf } from '../tf.ts';
import { loraFromTensors, readPeftAdapter, writePeftAdapter } from './hfPeftFiles.ts';
import { planFromTargets, type TrainPlan } from './hfPeftTargets.ts';
import { tinyGpt2Modules, tinyLlamaModules } from './hfPeftTestModules.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dir = (name: string): URL => new URL(`../../fixtures/hf-tiny/${name}/adapter/`, import.meta.url);
const configOf = (name: string): string => readFileSync(new URL('adapter_config.json', dir(name)), 'utf8');
const weightsOf = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL('adapter_model.safetensors', dir(name))));

const cases = [
  { name: 'tiny-gpt2', arch: 'gpt2', modules: tinyGpt2Modules(), adapted: 6 },
  { name: 'tiny-llama', arch: 'llama', modules: tinyLlamaModules(), adapted: 14 },
] as const;

function disposeLora(lora: LmLora): void {
  for (const ad of lora.values()) {
    ad.A.dispose();
    ad.B.dispose();
  }
}

describe('PEFT adapter files', () => {
  for (const { name, arch, modules, adapted } of cases) {
    it(`reads ${name}'s PEFT adapter and writes it back byte for byte`, async () => {
      const bytes = weightsOf(name);
      const { plan, tensors } = readPeftAdapter(configOf(name), bytes, modules, name);
      expect(tensors.size).toBe(adapted);
      if (name === 'tiny-gpt2') {
        // c_proj targets both attn.c_proj and mlp.c_proj; c_fc and the tied head stay frozen.
        expect(plan['transformer.h.1.mlp.c_proj']).toEqual({ kind: 'lora', r: 4, alpha: 8, dropout: 0, rslora: false });
        expect(plan['transformer.h.0.attn.c_proj']?.kind).toBe('lora');
        expect(plan['transformer.h.0.mlp.c_fc']).toEqual({ kind: 'frozen' });
        expect(plan.lm_head).toEqual({ kind: 'frozen' });
        const t = tensors.get('transformer.h.0.mlp.c_proj');
        expect([t?.A.length, t?.B.length, t?.r, t?.scale]).toEqual([4 * 128, 32 * 4, 4, 2]);
      }
      const file = readSafetensors(bytes);
      const first = file.tensors.get(`base_model.model.${modules[0]?.path}.lora_A.weight`);
      expect(tensors.get(modules[0]?.path as string)?.A).toEqual(new Float32Array(first!.data.slice().buffer));

      const lora = loraFromTensors(tensors, plan);
      const out = await writePeftAdapter(lora, plan, modules, { arch, baseModelNameOrPath: null });
      disposeLora(lora);
      // The tensors and the whole file: same names, order, header padding and bytes as PEFT's writer.
      const mine = readSafetensors(out.safetensors);
      expect([...mine.tensors.keys()]).toEqual([...file.tensors.keys()]);
      for (const [n, t] of file.tensors) expect(mine.tensors.get(n)?.data, n).toEqual(t.data);
      expect(mine.metadata).toEqual({ format: 'pt' });
      expect(out.safetensors).toEqual(bytes);
      // And the config reads back to the same plan.
      expect(readPeftAdapter(out.config, out.safetensors, modules, 'again').plan).toEqual(plan);
    });
  }

  it('round-trips mixed ranks and alphas through the files', async () => {
    const modules = tinyLlamaModules();
    const plan: TrainPlan = planFromTargets(modules, { targets: ['q_proj', 'v_proj', 'down_proj'], r: 4, alpha: 8, dropout: 0.1, rankPattern: { 'layers.1.self_attn.v_proj': 2, down_proj: 6 }, alphaPattern: { q_proj: 3 } });
    const lora: LmLora = new Map();
    for (const m of modules) {
      const mode = plan[m.path];
      if (mode?.kind !== 'lora') continue;
      lora.set(m.path, {
        A: tf.variable(tf.randomNormal([mode.r, m.inFeatures], 0, 1, 'float32', 1)),
        B: tf.variable(tf.randomNormal([m.outFeatures, mode.r], 0, 1, 'float32', 2)),
        r: mode.r,
        alpha: mode.alpha,
        scale: mode.alpha / mode.r,
        dropout: mode.dropout ?? 0,
      });
    }
    const out = await writePeftAdapter(lora, plan, modules, { arch: 'llama', baseModelNameOrPath: 'me/base' });
    const back = readPeftAdapter(out.config, out.safetensors, modules, 'mixed');
    expect(back.plan).toEqual(Object.fromEntries(Object.entries(plan).map(([p, m]) => [p, m.kind === 'lora' ? { ...m, rslora: false } : m])));
    expect(back.tensors.get('model.layers.1.self_attn.v_proj')?.r).toBe(2);
    expect(back.tensors.get('model.layers.0.mlp.down_proj')?.scale).toBeCloseTo(8 / 6);
    expect(back.tensors.get('model.layers.0.self_attn.q_proj')?.scale).toBeCloseTo(3 / 4);
    for (const [path, ad] of lora) expect(back.tensors.get(path)?.B).toEqual(await ad.B.data());
    const reloaded = loraFromTensors(back.tensors, back.plan);
    expect(reloaded.get('model.layers.0.self_attn.q_proj')?.dropout).toBeCloseTo(0.1);
    expect(reloaded.get('model.layers.1.self_attn.v_proj')?.A.shape).toEqual([2, 32]);
    disposeLora(reloaded);
    disposeLora(lora);
  });

  it('refuses a fully trained module and a missing adapter on export', async () => {
    const modules = tinyGpt2Modules();
    const plan: TrainPlan = { 'transformer.h.0.attn.c_attn': { kind: 'lora', r: 4, alpha: 8 }, lm_head: { kind: 'full' } };
    await expect(writePeftAdapter(new Map(), plan, modules, { arch: 'gpt2' })).rejects.toThrow(/lm_head.*trained in full.*merged model/);
    await expect(writePeftAdapter(new Map(), { 'transformer.h.0.attn.c_attn': { kind: 'lora', r: 4, alpha: 8 } }, modules, { arch: 'gpt2' })).rejects.toThrow(/no adapter weights/);
  });

  /** The llama fixture with its tensors renamed / reshaped / retyped by `edit`. */
  function edited(edit: (name: string, t: TensorToWrite) => [string, TensorToWrite] | null, extra: Record<string, TensorToWrite> = {}): Uint8Array {
    const file = readSafetensors(weightsOf('tiny-llama'));
    const out: Record<string, TensorToWrite> = { ...extra };
    for (const [n, t] of file.tensors) {
      const e = edit(n, { dtype: t.dtype, shape: t.shape, data: t.data });
      if (e) out[e[0]] = e[1];
    }
    return writeSafetensors(out, { format: 'pt' });
  }
  const llama = (bytes: Uint8Array, config = configOf('tiny-llama'), modules: LinearModule[] = tinyLlamaModules()) => () => readPeftAdapter(config, bytes, modules, 'my-adapter');

  it('explains files PEFT would load wrongly or not at all', () => {
    expect(llama(edited((n, t) => [n.replace('base_model.model.', ''), t]))).toThrow(/my-adapter\/adapter_model.safetensors: tensor "model.layers.0.mlp.down_proj.lora_A.weight" does not start with "base_model.model."/);
    expect(llama(edited((n, t) => (n.includes('layers.1.self_attn.q_proj.lora_B') ? null : [n, t])))).toThrow(/"base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight" is missing/);
    expect(llama(edited((n, t) => [n, n.endsWith('q_proj.lora_A.weight') ? { ...t, shape: [8, 16] } : t]))).toThrow(/q_proj.lora_A.weight" has shape \[8, 16\], expected \[4, 32\]/);
    expect(llama(weightsOf('tiny-llama'), configOf('tiny-llama').replace('"r": 4', '"r": 8'))).toThrow(/q_proj.lora_A.weight" has shape \[4, 32\], expected \[8, 32\] \(rank 8/);
    const extra = { 'base_model.model.lm_head.lora_A.weight': { dtype: 'F32' as const, shape: [4, 32], data: new Float32Array(128) } };
    expect(llama(edited((n, t) => [n, t], extra))).toThrow(/"base_model.model.lm_head.lora_A.weight" belongs to no module/);
    const bigger = tinyLlamaModules().map((m) => (m.name === 'k_proj' ? { ...m, outFeatures: 32 } : m));
    expect(llama(weightsOf('tiny-llama'), configOf('tiny-llama'), bigger)).toThrow(/k_proj.lora_B.weight" has shape \[16, 4\], expected \[32, 4\]/);
    expect(llama(weightsOf('tiny-llama'), configOf('tiny-llama').replace('"use_dora": false', '"use_dora": true'))).toThrow(/DoRA/);
    expect(llama(weightsOf('tiny-llama'), configOf('tiny-llama').replace('"bias": "none"', '"bias": "lora_only"'))).toThrow(/bias/);
    expect(llama(weightsOf('tiny-llama'), configOf('tiny-gpt2'))).toThrow(/targets none of this model's modules/);
  });

  it('reads F16 and BF16 adapters as float32', () => {
    const f16 = edited((n, t) => {
      const src = new Float32Array((t.data as Uint8Array).slice().buffer);
      const half = new Uint16Array(src.length);
      src.forEach((_, i) => (half[i] = i % 2 ? 0x3c00 : 0xc000)); // 1, -2
      return [n, { dtype: 'F16', shape: t.shape, data: half }];
    });
    const t = readPeftAdapter(configOf('tiny-llama'), f16, tinyLlamaModules(), 'half').tensors.get('model.layers.0.self_attn.q_proj');
    expect(Array.from(t!.A.slice(0, 2))).toEqual([-2, 1]);
    const bf16 = edited((n, t2) => {
      const bits = new Uint32Array((t2.data as Uint8Array).slice().buffer);
      return [n, { dtype: 'BF16', shape: t2.shape, data: Uint16Array.from(bits, (b) => b >>> 16) }];
    });
    const exact = readPeftAdapter(configOf('tiny-llama'), weightsOf('tiny-llama'), tinyLlamaModules(), 'full').tensors.get('model.layers.0.mlp.up_proj')!;
    const approx = readPeftAdapter(configOf('tiny-llama'), bf16, tinyLlamaModules(), 'bf16').tensors.get('model.layers.0.mlp.up_proj')!;
    approx.B.forEach((v, i) => expect(Math.abs(v - (exact.B[i] as number))).toBeLessThanOrEqual(Math.abs(exact.B[i] as number) / 128));
  });
});
