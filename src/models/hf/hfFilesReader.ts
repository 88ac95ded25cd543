import type { DatasetFile } from '../../api.ts';
import { EngineError } from '../../errors.ts';
import type { HfDownloadProgress, HfSourceReader } from './hfSourceTypes.ts';

const normalisePath = (p: string): string => p.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');

/** A model folder from dropped files: the folder is the one holding config.json. */
export function hfFilesReader(files: DatasetFile[], onProgress?: (p: HfDownloadProgress) => void): HfSourceReader {
  const entries = files.map((f) => ({ path: normalisePath(f.path), file: f.file }));
  const configs = entries.filter((e) => e.path === 'config.json' || e.path.endsWith('/config.json'));
  if (configs.length === 0)
    throw new EngineError(
      'hf-config-missing',
      `The dropped files (${entries.length}) contain no config.json. Drop the whole model folder: config.json, model.safetensors (or its index and shards), tokenizer.json and tokenizer_config.json.`,
    );
  if (configs.length > 1)
    throw new EngineError(
      'hf-source-invalid',
      `The dropped files contain ${configs.length} config.json files (${configs
        .slice(0, 4)
        .map((c) => c.path)
        .join(', ')}); drop one model folder at a time.`,
    );
  const root = configs[0]!.path.slice(0, -'config.json'.length); // "" or "folder/"
  const byName = new Map<string, Blob>();
  for (const e of entries) if (e.path.startsWith(root)) byName.set(e.path.slice(root.length), e.file);
  const label = root === '' ? 'the dropped folder' : root.slice(0, -1);
  return {
    label,
    read: async (file) => {
      const blob = byName.get(normalisePath(file));
      if (!blob) return null;
      const bytes = new Uint8Array(await blob.arrayBuffer());
      onProgress?.({ file, loaded: bytes.byteLength, total: bytes.byteLength, fraction: 1, cached: true });
      return bytes;
    },
    readRange: async (file, start, end) => {
      const blob = byName.get(normalisePath(file));
      return blob ? new Uint8Array(await blob.slice(start, end).arrayBuffer()) : null;
    },
  };
}
