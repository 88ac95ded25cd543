/** The size check before a model's weights download: config.json and the safetensors headers only. */
import { EngineError } from '../../errors.ts';
import { readSafetensorsHeader, safetensorsHeaderSize, type SafetensorsHeader } from '../../export/safetensorsHeader.ts';
import { parseHfConfig } from './hfConfig.ts';
import { checkFits, estimateHfMemory, type DeviceLimits, type HfMemoryEstimate } from './hfMemory.ts';
import type { HfSourceReader } from './hfSourceTypes.ts';
import type { HfModelConfig } from './hfTypes.ts';
import { INDEX_FILE, parseWeightIndex, WEIGHTS_FILE, type HfFileReader } from './hfWeights.ts';

async function readHeader(reader: HfSourceReader, file: string, where: string): Promise<SafetensorsHeader | null> {
  if (!reader.readRange) {
    const bytes = await reader.read(file);
    return bytes ? readSafetensorsHeader(bytes, where) : null;
  }
  const first8 = await reader.readRange(file, 0, 8);
  if (!first8) return null;
  const size = safetensorsHeaderSize(first8, where);
  const rest = await reader.readRange(file, 8, size);
  if (!rest) return null;
  const head = new Uint8Array(8 + rest.byteLength);
  head.set(first8.subarray(0, 8));
  head.set(rest, 8);
  return readSafetensorsHeader(head, where);
}

function shardFiles(indexBytes: Uint8Array, where: string): string[] {
  return [...parseWeightIndex(indexBytes, where).keys()];
}

/**
 * Sizes the model from config.json and the safetensors headers only (Range requests for URL sources,
 * Blob slices for dropped files), then throws 'model-too-large' via checkFits if it cannot fit.
 * Resolves with the estimate. A plain HfFileReader works too, but reads whole weight files.
 */
export async function checkHfModelFits(source: HfSourceReader | HfFileReader, label: string, limits: DeviceLimits): Promise<HfMemoryEstimate> {
  const reader: HfSourceReader = typeof source === 'function' ? { label, read: source } : source;
  const configBytes = await reader.read('config.json');
  let config: HfModelConfig | undefined;
  if (configBytes) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(configBytes));
    } catch (e) {
      throw new EngineError('hf-config-invalid', `${label}/config.json is not valid JSON (${(e as Error).message}).`);
    }
    config = parseHfConfig(json, `${label}/config.json`);
  }
  const indexBytes = await reader.read(INDEX_FILE);
  const files = indexBytes ? shardFiles(indexBytes, `${label}/${INDEX_FILE}`) : [WEIGHTS_FILE];
  const headers: SafetensorsHeader[] = [];
  for (const file of files) {
    const header = await readHeader(reader, file, `${label}/${file}`);
    if (!header)
      throw indexBytes
        ? new EngineError('hf-weights-missing', `${label}/${file} is listed in ${INDEX_FILE} but is missing; the model folder is incomplete.`)
        : new EngineError('hf-weights-missing', `${label} has neither ${WEIGHTS_FILE} nor ${INDEX_FILE}; only safetensors checkpoints can be loaded (convert pytorch_model.bin with transformers' save_pretrained).`);
    headers.push(header);
  }
  const estimate = estimateHfMemory(headers, config);
  checkFits(estimate, limits);
  return estimate;
}
