import type { DatasetFile } from '../../src/index.ts';

/** Where the built-in model and sample dataset live, relative to the page (Vite's base is './'). */
export const MODEL_PATH = 'models/shapes-cnn/model.json';
/** The manifest sits beside the sample folder and lists paths from there ("shapes-sample/ring/ring-000.png"). */
export const SAMPLE_MANIFEST_PATH = 'datasets/shapes-sample.json';

/** How many sample images download at once: enough to hide latency, few enough not to starve the model download. */
const CONCURRENCY = 8;

export interface SampleManifest {
  name: string;
  files: string[];
}

export function parseManifest(value: unknown): SampleManifest {
  if (typeof value === 'object' && value !== null) {
    const { name, files } = value as { name?: unknown; files?: unknown };
    if (typeof name === 'string' && Array.isArray(files) && files.every((f) => typeof f === 'string')) {
      return { name, files: files as string[] };
    }
  }
  throw new Error('The sample dataset manifest is malformed: expected { "name": string, "files": string[] }.');
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Downloads the sample dataset as the DatasetFile[] a folder drop would give: the manifest's paths
 * already start with the dataset's folder name ("shapes-sample/ring/ring-000.png").
 */
export async function fetchSampleDataset(
  manifestUrl: string,
  fetchFn: typeof fetch,
  onProgress: (done: number, total: number) => void,
): Promise<{ name: string; files: DatasetFile[] }> {
  const response = await fetchFn(manifestUrl);
  if (!response.ok) throw new Error(`The sample dataset could not be downloaded (HTTP ${response.status} for ${manifestUrl}).`);
  const manifest = parseManifest(await response.json());
  let done = 0;
  onProgress(0, manifest.files.length);
  const files = await mapWithLimit(manifest.files, CONCURRENCY, async (path) => {
    const res = await fetchFn(new URL(path, manifestUrl).href);
    if (!res.ok) throw new Error(`The sample image ${path} could not be downloaded (HTTP ${res.status}).`);
    const file = await res.blob();
    onProgress(++done, manifest.files.length);
    return { path, file };
  });
  return { name: manifest.name, files };
}
