import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/rng.ts';
import { readSafetensors, toFloat32, writeSafetensors, type TensorToWrite } from '../export/safetensors.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf, type LayersModel } from '../tf.ts';
import { createLoraAdapters, disposeLoraAdapters, type LoraAdapters } from './loraAdapter.ts';
import { exportPeftAdapter, importPeftAdapter, type PeftAdapterFiles, type PeftLoraConfig } from './peftAdapter.ts';
import type { TrainPlan } from './plan.ts';
import { runModel } from './runModel.ts';
import { maxAbsDiff, seededInput, sequentialConvNet } from './testModels.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const P = 'base_model.model.';

describe('PEFT adapter export and import', () => {
  let model: LayersModel;
  let adapters: LoraAdapters;
  let files: PeftAdapterFiles;
  // conv1 r=2 a=4, conv2 r=2 a=4 rsLoRA (-> a = 4*sqrt(2) under use_rslora false), dense1 r=3 a=6, head trained in full
  const plan: TrainPlan = {
    conv1: { kind: 'lora', r: 2, alpha: 4, dropout: 0.1 },
    conv2: { kind: 'lora', r: 2, alpha: 4, rslora: true, dropout: 0.1 },
    dense1: { kind: 'lora', r: 3, alpha: 6 },
    head: { kind: 'full' },
  };

  beforeAll(async () => {
    model = sequentialConvNet();
    adapters = createLoraAdapters(model, plan, createRng(8));
    let s = 1;
    for (const ad of adapters.values()) ad.B.assign(tf.randomNormal(ad.B.shape, 0, 1, 'float32', s++));
    files = await exportPeftAdapter(model, plan, adapters, { baseModelName: 'tabtune/seqnet' });
  });
  afterAll(() => {
    disposeLoraAdapters(adapters);
    model.dispose();
  });

  it('writes adapter_config.json with PEFT fields, rank_pattern and alpha_pattern', () => {
    const c = JSON.parse(files['adapter_config.json']) as PeftLoraConfig;
    expect(c).toMatchObject({
      peft_type: 'LORA',
      task_type: null,
      base_model_name_or_path: 'tabtune/seqnet',
      r: 2,
      lora_alpha: 4,
      lora_dropout: 0.1,
      target_modules: ['conv1', 'conv2', 'dense1'],
      rank_pattern: { dense1: 3 },
      use_rslora: false,
      bias: 'none',
      fan_in_fan_out: false,
      inference_mode: true,
      modules_to_save: ['head'],
    });
    expect(Object.keys(c.alpha_pattern).sort()).toEqual(['conv2', 'dense1']);
    expect(c.alpha_pattern.dense1).toBe(6);
    expect(c.alpha_pattern.conv2).toBeCloseTo(4 * Math.sqrt(2), 12); // same scale as rsLoRA alpha 4 at r 2
    expect((c.alpha_pattern.conv2 as number) / 2).toBeCloseTo(adapters.get('conv2')!.scale, 12);
  });

  it('names and shapes tensors as PEFT does, in PyTorch layouts', () => {
    const st = readSafetensors(files['adapter_model.safetensors']);
    expect(st.metadata).toEqual({ format: 'pt' });
    const shapes = Object.fromEntries([...st.tensors].map(([k, t]) => [k, t.shape]));
    expect(shapes).toEqual({
      [`${P}conv1.lora_A.weight`]: [2, 2, 3, 3], // [r, in, kh, kw]
      [`${P}conv1.lora_B.weight`]: [4, 2, 1, 1], // [out, r, 1, 1]
      [`${P}conv2.lora_A.weight`]: [2, 4, 3, 2],
      [`${P}conv2.lora_B.weight`]: [5, 2, 1, 1],
      [`${P}dense1.lora_A.weight`]: [3, 30], // [r, in]
      [`${P}dense1.lora_B.weight`]: [6, 3], // [out, r]
      [`${P}head.weight`]: [3, 6], // [out, in]
      [`${P}head.bias`]: [3],
    });
    for (const t of st.tensors.values()) expect(t.dtype).toBe('F32');
    // element mapping: Linear A[r][i] = ours A[i][r]; Conv A[r][i][y][x] = ours A[y][x][i][r]; B[o][r] = ours B[r][o]
    const dA = toFloat32(st.tensors.get(`${P}dense1.lora_A.weight`)!);
    const ourDA = adapters.get('dense1')!.A.arraySync() as number[][];
    expect(dA[1 * 30 + 7]).toBe(ourDA[7]![1]);
    const cA = toFloat32(st.tensors.get(`${P}conv2.lora_A.weight`)!);
    const ourCA = adapters.get('conv2')!.A.arraySync() as number[][][][];
    // index [r=1, i=3, y=2, x=1] in [2, 4, 3, 2]
    expect(cA[((1 * 4 + 3) * 3 + 2) * 2 + 1]).toBe(ourCA[2]![1]![3]![1]);
    const cB = toFloat32(st.tensors.get(`${P}conv2.lora_B.weight`)!);
    const ourCB = adapters.get('conv2')!.B.arraySync() as number[][];
    expect(cB[4 * 2 + 1]).toBe(ourCB[1]![4]); // [o=4, r=1]
    const hW = toFloat32(st.tensors.get(`${P}head.weight`)!);
    const ourHW = model.getLayer('head').getWeights()[0]!.arraySync() as number[][];
    expect(hW[2 * 6 + 5]).toBe(ourHW[5]![2]); // [out=2, in=5]
  });

  it('round trip: import gives the same outputs, and export -> import -> export is byte-identical', async () => {
    await expectNoTensorLeak(async () => {
      const imported = await importPeftAdapter(files, model);
      expect(Object.keys(imported.plan)).toEqual(['conv1', 'conv2', 'dense1', 'head']);
      expect(imported.plan.head).toEqual({ kind: 'full' });
      expect(imported.baseModelName).toBe('tabtune/seqnet');
      const again = await exportPeftAdapter(model, imported.plan, imported.adapters, { baseModelName: imported.baseModelName });
      expect(again['adapter_config.json']).toBe(files['adapter_config.json']);
      expect(Buffer.from(again['adapter_model.safetensors']).equals(Buffer.from(files['adapter_model.safetensors']))).toBe(true);
      const x = seededInput([3, 6, 6, 2]);
      const a = runModel(model, x, { plan, adapters });
      const b = runModel(model, x, { plan: imported.plan, adapters: imported.adapters });
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
      tf.dispose([x, a, b]);
      disposeLoraAdapters(imported.adapters);
    });
  });

  it('imports modules_to_save weights into the model', async () => {
    const other = sequentialConvNet();
    const head = other.getLayer('head');
    head.setWeights(head.getWeights().map((w) => tf.zerosLike(w)));
    const imported = await importPeftAdapter(files, other);
    const want = model.getLayer('head').getWeights()[0]!.dataSync();
    expect(Array.from(head.getWeights()[0]!.dataSync())).toEqual(Array.from(want));
    disposeLoraAdapters(imported.adapters);
    other.dispose();
  });

  function withTensors(edit: (t: Record<string, TensorToWrite>) => void): PeftAdapterFiles {
    const st = readSafetensors(files['adapter_model.safetensors']);
    const tensors: Record<string, TensorToWrite> = {};
    for (const [k, t] of st.tensors) tensors[k] = { dtype: t.dtype, shape: t.shape, data: t.data };
    edit(tensors);
    return { ...files, 'adapter_model.safetensors': writeSafetensors(tensors, { format: 'pt' }) };
  }

  it('refuses a wrong shape, naming the module and both shapes', async () => {
    const bad = withTensors((t) => {
      const a = t[`${P}dense1.lora_A.weight`]!;
      t[`${P}dense1.lora_A.weight`] = { ...a, shape: [3, 10, 3] }; // same byte length, wrong shape
    });
    await expect(importPeftAdapter(bad, model)).rejects.toThrow(/module "dense1": lora_A.weight has shape \[3, 10, 3\]; .* needs \[3, 30\]/);
  });

  it('refuses a tensor for a module the model does not have', async () => {
    const bad = withTensors((t) => {
      t[`${P}encoder.fc.lora_A.weight`] = t[`${P}dense1.lora_A.weight`]!;
    });
    await expect(importPeftAdapter(bad, model)).rejects.toThrow(/module "encoder.fc", which the model does not have/);
  });

  it('refuses a target module missing from the model, a rank that does not match, and non-LoRA configs', async () => {
    const c = JSON.parse(files['adapter_config.json']) as Record<string, unknown>;
    const cfg = (patch: Record<string, unknown>): PeftAdapterFiles => ({ ...files, 'adapter_config.json': JSON.stringify({ ...c, ...patch }) });
    await expect(importPeftAdapter(cfg({ target_modules: ['conv1', 'conv2', 'dense1', 'fc9'] }), model)).rejects.toThrow(/target module "fc9" is not a layer/);
    await expect(importPeftAdapter(cfg({ rank_pattern: {} }), model)).rejects.toThrow(/module "dense1": lora_A.weight has shape \[3, 30\]; .*r = 2 needs \[2, 30\]/);
    await expect(importPeftAdapter(cfg({ peft_type: 'IA3' }), model)).rejects.toThrow(/only "LORA"/);
    await expect(importPeftAdapter(cfg({ target_modules: '.*conv.*' }), model)).rejects.toThrow(/list of layer names/);
    await expectNoTensorLeak(() => expect(importPeftAdapter(cfg({ modules_to_save: null }), model)).rejects.toThrow(/head.*not in modules_to_save/));
  });
});
