/**
 * Reads a Hugging Face checkpoint's weights as float32: `model.safetensors`, or the shards listed by
 * `model.safetensors.index.json` (weight_map: tensor name -> shard file). Shards are read one at a time
 * and handed on tensor by tensor, so only one shard's bytes are held at once.
 */
import { EngineError } from '../../errors.ts';
import { readSafetensors, type SafetensorsTensor } from '../../export/safetensors.ts';
import { bfloat16ToFloat32, float16ToFloat32 } from './halfFloat.ts';
import { expectedHfTensors, LM_HEAD, normaliseHfName } from './hfLayout.ts';
import type { SourceDtype } from './halfWeights.ts';
import type { HfModelConfig } from './hfTypes.ts';

/** Reads one file of the model folder by name; null when the folder has no such file. */
export type HfFileReader = (file: string) => Promise<Uint8Array | null>;

export const WEIGHTS_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export interface HfWeight {
  shape: number[];
  values: Float32Array;
  /** The dtype in the file (values are always float32). */
  dtype: SourceDtype;
}

/** A tensor's bytes as float32; F32, F16 and BF16 are what checkpoints use. */
export function tensorToFloat32(t: SafetensorsTensor, fileName: string, name: string): Float32Array {
  switch (t.dtype) {
    case 'F32':
      return new Float32Array(t.data.slice().buffer);
    case 'F16':
      return float16ToFloat32(t.data);
    case 'BF16':
      return bfloat16ToFloat32(t.data);
    default:
      throw new EngineError('hf-weights-dtype', `${fileName}: tensor "${name}" is stored as ${t.dtype}; only F32, F16 and BF16 weights can be loaded. Use an unquantised checkpoint.`);
  }
}

/** Which file holds which tensor: one file, or the index's weight_map grouped by shard. */
async function planFiles(read: HfFileReader, label: string): Promise<Map<string, string[] | null>> {
  const indexBytes = await read(INDEX_FILE);
  if (indexBytes === null) return new Map([[WEIGHTS_FILE, null]]);
  return parseWeightIndex(indexBytes, `${label}/${INDEX_FILE}`);
}

/** model.safetensors.index.json's weight_map as shard file -> tensor names, checked (no paths out of the folder). */
export function parseWeightIndex(indexBytes: Uint8Array, where: string): Map<string, string[]> {
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder().decode(indexBytes));
  } catch (e) {
    throw new EngineError('hf-weights-invalid', `${where} is not valid JSON (${(e as Error).message}). Download it again.`);
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (!map || typeof map !== 'object' || Array.isArray(map))
    throw new EngineError('hf-weights-invalid', `${where} has no "weight_map" object mapping tensor names to shard files.`);
  const shards = new Map<string, string[]>();
  for (const [name, file] of Object.entries(map)) {
    if (typeof file !== 'string' || file.includes('/') || file.includes('..'))
      throw new EngineError('hf-weights-invalid', `${where}: tensor "${name}" maps to ${JSON.stringify(file)}, which is not a shard file name.`);
    shards.set(file, [...(shards.get(file) ?? []), name]);
  }
  return shards;
}

/**
 * Visits every tensor the config needs (names normalised, shapes checked) with its float32 values.
 * Tensors the forward pass does not use (gpt2's attn.bias mask buffers, rotary inv_freq, a tied
 * lm_head) are skipped. `onProgress(done, total)` counts files read.
 */
export async function readHfWeights(
  read: HfFileReader,
  config: HfModelConfig,
  label: string,
  visit: (name: string, weight: HfWeight) => void,
  onProgress?: (filesDone: number, filesTotal: number) => void,
): Promise<void> {
  const expected = expectedHfTensors(config);
  const seen = new Set<string>();
  const files = await planFiles(read, label);
  let done = 0;
  for (const [file, listed] of files) {
    const where = `${label}/${file}`;
    const bytes = await read(file);
    if (bytes === null) {
      throw listed === null
        ? new EngineError('hf-weights-missing', `${label} has neither ${WEIGHTS_FILE} nor ${INDEX_FILE}; only safetensors checkpoints can be loaded (convert pytorch_model.bin with transformers' save_pretrained).`)
        : new EngineError('hf-weights-missing', `${where} is listed in ${INDEX_FILE} but is missing; download every shard of the model.`);
    }
    const parsed = readSafetensors(bytes, where);
    const names = listed ?? [...parsed.tensors.keys()];
    for (const fileName of names) {
      const name = normaliseHfName(config, fileName);
      const shape = expected.get(name);
      if (!shape || seen.has(name)) continue;
      const t = parsed.tensors.get(fileName);
      if (!t) throw new EngineError('hf-weights-missing', `${where} does not contain tensor "${fileName}" that ${INDEX_FILE} places there; download the shard again.`);
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
        throw new EngineError('hf-weights-shape', `${where}: tensor "${fileName}" has shape [${t.shape.join(', ')}] but config.json implies [${shape.join(', ')}]; the weights and config.json belong to different models.`);
      visit(name, { shape, values: tensorToFloat32(t, where, fileName), dtype: t.dtype as SourceDtype });
      seen.add(name);
    }
    onProgress?.(++done, files.size);
  }
  const missing = [...expected.keys()].filter((n) => !seen.has(n));
  if (missing.length > 0) {
    const hint = missing.includes(LM_HEAD) ? ' (lm_head.weight is absent although config.json sets tie_word_embeddings false)' : '';
    throw new EngineError('hf-weights-missing', `${label}: the weights lack ${missing.length} tensor(s) the ${config.architecture} config needs, e.g. "${missing[0]}"${hint}; check that the weights match config.json.`);
  }
}

/** All weights in a map, for tests and small models (loadHfCausalLm streams them to the GPU instead). */
export async function readHfWeightMap(read: HfFileReader, config: HfModelConfig, label: string): Promise<Map<string, HfWeight>> {
  const out = new Map<string, HfWeight>();
  await readHfWeights(read, config, label, (name, w) => out.set(name, w));
  return out;
}
