/**
 * Reads a run back from what Tabtune exported (the zip, or its files unzipped in a folder) onto the
 * loaded base model: the head, the PEFT adapter (and its modules_to_save layers), and the plan, so the
 * run can be evaluated, tried, exported again or trained further.
 */
import { Inflate } from 'fflate';
import type { DatasetFile, TrainPlan } from '../api.ts';
import { EngineError } from '../errors.ts';
import type { LoraAdapters } from '../lora/loraAdapter.ts';
import { importPeftAdapter } from '../lora/peftAdapter.ts';
import type { BaseModel } from '../models/baseModel.ts';
import { transpose } from './headExport.ts';
import { readSafetensors, toFloat32 } from './safetensors.ts';

export interface ImportedRun {
  plan: TrainPlan;
  adapters: LoraAdapters;
  /** Keras layout: kernel [F, K], bias [K]. */
  kernel: Float32Array;
  bias: Float32Array;
  classes: string[];
  /** The loaded base for a head-only run; a private copy carrying the trained layers otherwise. */
  base: BaseModel;
}

const invalid = (message: string) => new EngineError('bundle-invalid', message);

/** Limits on a dropped bundle zip: its size, entries, and bytes once inflated (counted while inflating). */
export const MAX_ZIP_BYTES = 512 * 1024 * 1024;
export const MAX_ZIP_ENTRIES = 10_000;
export const MAX_ZIP_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024;
/** Compressed bytes pushed to the inflater at a time: deflate expands at most ~1032x, so one step stays small. */
const INFLATE_STEP = 16 * 1024;

/**
 * Reads a zip by its central directory and inflates each entry in small steps, counting the bytes:
 * an entry that inflates past the size it declares, or a total past MAX_ZIP_UNCOMPRESSED_BYTES, stops
 * at once (a zip bomb never gets the memory). Names with `..`, absolute paths or backslashes are
 * refused, as are encrypted, zip64 and non-deflate entries (Tabtune's own bundles use none of them).
 */
export function unzipBounded(data: Uint8Array, label: string, maxTotal = MAX_ZIP_UNCOMPRESSED_BYTES, maxEntries = MAX_ZIP_ENTRIES): Map<string, Uint8Array> {
  const corrupt = (what: string) => invalid(`${label}: not a readable zip file (${what}). Drop the .zip Tabtune downloaded, or its unzipped folder.`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u16 = (at: number) => (at + 2 <= data.length ? view.getUint16(at, true) : -1);
  const u32 = (at: number) => (at + 4 <= data.length ? view.getUint32(at, true) : -1);
  // End of central directory: the last 22+ bytes (a comment of up to 65535 bytes may follow it).
  let eocd = -1;
  for (let e = data.length - 22; e >= Math.max(0, data.length - 22 - 65535); e--) {
    if (u32(e) === 0x06054b50) {
      eocd = e;
      break;
    }
  }
  if (eocd < 0) throw corrupt('no end-of-central-directory record');
  const count = u16(eocd + 10);
  const cdSize = u32(eocd + 12);
  const cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw corrupt('zip64 archives are not supported');
  if (count > maxEntries) throw new EngineError('zip-too-large', `${label}: ${count} entries, above the ${maxEntries}-entry limit for a bundle.`);
  if (cdOffset + cdSize > eocd) throw corrupt(`the central directory at byte ${cdOffset} runs past byte ${eocd}`);

  const decoder = new TextDecoder();
  const entries: { name: string; method: number; flags: number; compressed: number; size: number; local: number }[] = [];
  let declared = 0;
  let o = cdOffset;
  for (let i = 0; i < count; i++) {
    if (u32(o) !== 0x02014b50) throw corrupt(`central directory entry ${i + 1} at byte ${o} is damaged`);
    const flags = u16(o + 8);
    const method = u16(o + 10);
    const compressed = u32(o + 20);
    const size = u32(o + 24);
    const nameLen = u16(o + 28);
    const next = o + 46 + nameLen + u16(o + 30) + u16(o + 32);
    if (next > eocd) throw corrupt(`central directory entry ${i + 1} at byte ${o} runs past its end`);
    const name = decoder.decode(data.subarray(o + 46, o + 46 + nameLen));
    const local = u32(o + 42);
    o = next;
    if (name.endsWith('/')) continue; // a folder
    if (name.includes('\\') || name.startsWith('/') || /^[a-z]:/i.test(name) || name.split('/').some((part) => part === '..' || part === '.' || part === '') || name.includes('\0')) {
      throw new EngineError('zip-unsafe-path', `${label}: entry ${JSON.stringify(name.slice(0, 200))} has an unsafe path (absolute, "..", or a backslash); a Tabtune bundle has none. Do not import this file.`);
    }
    if (flags & 1) throw corrupt(`entry "${name}" is encrypted`);
    if (method !== 0 && method !== 8) throw corrupt(`entry "${name}" uses compression method ${method}`);
    if (compressed === 0xffffffff || size === 0xffffffff) throw corrupt('zip64 archives are not supported');
    declared += size;
    if (declared > maxTotal) {
      throw new EngineError('zip-too-large', `${label}: its entries declare more than ${maxTotal} bytes once unpacked, above the limit for a bundle (a zip bomb?).`);
    }
    entries.push({ name, method, flags, compressed, size, local });
  }

  const out = new Map<string, Uint8Array>();
  let total = 0;
  for (const e of entries) {
    if (u32(e.local) !== 0x04034b50) throw corrupt(`the local header of "${e.name}" at byte ${e.local} is damaged`);
    const start = e.local + 30 + u16(e.local + 26) + u16(e.local + 28);
    if (start + e.compressed > data.length) throw corrupt(`entry "${e.name}" runs past the end of the file`);
    const raw = data.subarray(start, start + e.compressed);
    if (e.method === 0) {
      if (e.compressed !== e.size) throw corrupt(`stored entry "${e.name}" declares ${e.size} bytes but holds ${e.compressed}`);
      total += e.size;
      out.set(e.name, raw.slice());
      continue;
    }
    const buf = new Uint8Array(e.size);
    let got = 0;
    let ended = false;
    const inflater = new Inflate((chunk, final) => {
      if (got + chunk.length > e.size || total + chunk.length > maxTotal) {
        throw new EngineError('zip-too-large', `${label}: entry "${e.name}" inflates past the ${e.size} bytes it declares (a zip bomb?); stopped after ${got + total} bytes.`);
      }
      buf.set(chunk, got);
      got += chunk.length;
      total += chunk.length;
      if (final) ended = true;
    });
    try {
      for (let p = 0; p < raw.length; p += INFLATE_STEP) inflater.push(raw.subarray(p, p + INFLATE_STEP), p + INFLATE_STEP >= raw.length);
      if (raw.length === 0) inflater.push(new Uint8Array(0), true);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw corrupt(`entry "${e.name}" has damaged compressed data`);
    }
    if (!ended || got !== e.size) throw corrupt(`entry "${e.name}" inflates to ${got} bytes but declares ${e.size}`);
    out.set(e.name, buf);
  }
  return out;
}

/** The bundle's files by their path inside it, from a dropped zip or a dropped (unzipped) folder. */
export async function bundleFiles(files: DatasetFile[]): Promise<Map<string, Uint8Array>> {
  const zips = files.filter((f) => f.path.toLowerCase().endsWith('.zip'));
  if (zips.length === 1 && files.length === 1) {
    const zip = zips[0] as DatasetFile;
    if (zip.file.size > MAX_ZIP_BYTES) {
      throw new EngineError('zip-too-large', `${zip.path}: ${zip.file.size} bytes, above the ${MAX_ZIP_BYTES}-byte limit for a bundle. Drop the .zip Tabtune downloaded.`);
    }
    return unzipBounded(new Uint8Array(await zip.file.arrayBuffer()), zip.path);
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
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) throw invalid('tabtune.json: not a JSON object; it was not written by Tabtune.');
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
  const trained: unknown = manifest.plan?.trained ?? [];
  if (!Array.isArray(trained)) throw invalid('tabtune.json: "plan.trained" must be a list of layer names.');
  if (trained.some((name) => name !== 'head')) {
    throw invalid('This run fully trained base layers without LoRA; importing those (from merged/) is not supported yet. Import a LoRA or head-only run.');
  }
  return { plan: {}, adapters: new Map(), kernel, bias: toFloat32(bias), classes: classes as string[], base };
}
