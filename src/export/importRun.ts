/**
 * Reads a run back from what Tabtune exported (the zip, or its files unzipped in a folder) onto the
 * loaded base model: the head, the PEFT adapter (and its modules_to_save layers), and the plan, so the
 * run can be evaluated, tried, exported again or trained further.
 */
import { unzipSync } from 'fflate';
import type { DatasetFile, LayerPlan } from '../api.ts';
import { EngineError } from '../errors.ts';
import type { LoraAdapters } from '../lora/loraAdapter.ts';
import { importPeftAdapter } from '../lora/peftAdapter.ts';
import type { BaseModel } from '../models/baseModel.ts';
import { transpose } from './headExport.ts';
import { readSafetensors, toFloat32 } from './safetensors.ts';

export interface ImportedRun {
  plan: LayerPlan;
  adapters: LoraAdapters;
  /** Keras layout: kernel [F, K], bias [K]. */
  kernel: Float32Array;
  bias: Float32Array;
  classes: string[];
  /** The loaded base for a head-only run; a private copy carrying the trained layers otherwise. */
  base: BaseModel;
}

const invalid = (message: string) => new EngineError('bundle-invalid', message);

/** The bundle's files by their path inside it, from a dropped zip or a dropped (unzipped) folder. */
export async function bundleFiles(files: DatasetFile[]): Promise<Map<string, Uint8Array>> {
  const zips = files.filter((f) => f.path.toLowerCase().endsWith('.zip'));
  if (zips.length === 1 && files.length === 1) {
    const zip = zips[0] as DatasetFile;
    try {
      return new Map(Object.entries(unzipSync(new Uint8Array(await zip.file.arrayBuffer()))));
    } catch {
      throw invalid(`${zip.path}: not a readable zip file. Drop the .zip Tabtune downloaded, or its unzipped folder.`);
    }
  }
  // An unzipped folder: paths relative to the folder that holds tabtune.json.
  const manifest = files.find((f) => f.path === 'tabtune.json' || f.path.endsWith('/tabtune.json'));
  if (!manifest) throw invalid('No tabtune.json among the dropped files: drop the .zip Tabtune downloaded (or its unzipped folder).');
  const root = manifest.path.slice(0, manifest.path.length - 'tabtune.json'.length);
  const out = new Map<string, Uint8Array>();
  for (const f of files) if (f.path.startsWith(root)) out.set(f.path.slice(root.length), new Uint8Array(await f.file.arrayBuffer()));
  return out;
}

export async function importRun(files: Map<string, Uint8Array>, base: BaseModel, loadCopy: () => Promise<BaseModel>): Promise<ImportedRun> {
  const manifestBytes = files.get('tabtune.json');
  if (!manifestBytes) throw invalid('The bundle has no tabtune.json: it was not written by Tabtune.');
  let manifest: { task?: string; classes?: unknown; baseModel?: { name?: string; featureLayer?: string; featureSize?: number }; plan?: { trained?: string[] } };
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as typeof manifest;
  } catch (e) {
    throw invalid(`tabtune.json: not valid JSON (${(e as Error).message}).`);
  }
  const classes = manifest.classes;
  if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string')) throw invalid('tabtune.json: "classes" must be a list of class names.');
  const { featureLayer, featureSize } = base.summary;
  if (manifest.baseModel?.featureLayer !== featureLayer || manifest.baseModel?.featureSize !== featureSize) {
    throw invalid(
      `This run was trained on "${manifest.baseModel?.name ?? 'another model'}" (feature layer ${manifest.baseModel?.featureLayer}, ${manifest.baseModel?.featureSize} features); the loaded model is "${base.summary.name}" (${featureLayer}, ${featureSize}). Load the model it was trained on first.`,
    );
  }

  const headBytes = files.get('head.safetensors');
  if (!headBytes) throw invalid('The bundle has no head.safetensors.');
  const head = readSafetensors(headBytes, 'head.safetensors');
  const weight = head.tensors.get('head.weight');
  const bias = head.tensors.get('head.bias');
  // A regression head has one output and no classes.
  const K = manifest.task === 'regression' ? 1 : classes.length;
  if (!weight || !bias || weight.shape.join() !== `${K},${featureSize}` || bias.shape.join() !== `${K}`) {
    throw invalid(`head.safetensors: expected head.weight [${K}, ${featureSize}] and head.bias [${K}] for ${manifest.task === 'regression' ? 'one regression output' : `${K} classes`}.`);
  }
  // PyTorch [K, F] back to Keras [F, K].
  const kernel = transpose(toFloat32(weight), K, featureSize);

  const config = files.get('adapter/adapter_config.json');
  const weights = files.get('adapter/adapter_model.safetensors');
  if (config && weights) {
    const copy = await loadCopy();
    try {
      const peft = await importPeftAdapter({ 'adapter_config.json': new TextDecoder().decode(config), 'adapter_model.safetensors': weights }, copy.model);
      return { plan: peft.plan, adapters: peft.adapters, kernel, bias: toFloat32(bias), classes: classes as string[], base: copy };
    } catch (e) {
      copy.model.dispose();
      throw e;
    }
  }
  if ((manifest.plan?.trained ?? []).some((name) => name !== 'head')) {
    throw invalid('This run fully trained base layers without LoRA; importing those (from merged/) is not supported yet. Import a LoRA or head-only run.');
  }
  return { plan: {}, adapters: new Map(), kernel, bias: toFloat32(bias), classes: classes as string[], base };
}
