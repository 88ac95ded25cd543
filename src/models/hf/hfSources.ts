/**
 * One way to read a Hugging Face model folder, wherever it is: a Hub model id, the URL of a folder in
 * the Hub's layout (".../resolve/main/"), or dropped files. URL reads stream with progress and go
 * through a FileCache (Cache Storage in the browser), so a reload does not download again; a model's
 * size is checked from the safetensors headers alone (HTTP Range) before the weights download.
 *
 * The parts live in their own modules; this one picks the reader and re-exports the rest, so callers
 * import the whole source API from here.
 */
import { EngineError } from '../../errors.ts';
import type { LmModelSource } from '../../api.ts';
import { hfFilesReader } from './hfFilesReader.ts';
import { HF_ENDPOINT, hubFolderUrl, normaliseFolderUrl, parseHubId } from './hfHubIds.ts';
import type { HfReaderOptions, HfSourceReader } from './hfSourceTypes.ts';
import { HfUrlFolder } from './hfUrlFolder.ts';

export { checkHfModelFits } from './checkHfModelFits.ts';
export { HF_ENDPOINT, hubFileUrl, hubFolderUrl, normaliseFolderUrl, parseHubId } from './hfHubIds.ts';
export type { HfDownloadProgress, HfReaderOptions, HfSourceReader } from './hfSourceTypes.ts';

/** A reader over a model folder from the Hub, a URL or dropped files. Throws 'hf-source-invalid' for bad ids/URLs. */
export function hfReaderForSource(source: LmModelSource, options: HfReaderOptions = {}): HfSourceReader {
  const endpoint = (options.endpoint ?? HF_ENDPOINT).replace(/\/+$/, '');
  switch (source.kind) {
    case 'hub': {
      const parsed = parseHubId(source.id, endpoint);
      const folder = hubFolderUrl(parsed.id, source.revision ?? parsed.revision, endpoint);
      const rev = source.revision ?? parsed.revision ?? 'main';
      const u = new HfUrlFolder(folder, options);
      return { label: rev === 'main' ? parsed.id : `${parsed.id}@${rev}`, read: u.read, readRange: u.readRange, cachePrefix: folder };
    }
    case 'url': {
      const folder = normaliseFolderUrl(source.url, endpoint);
      const u = new HfUrlFolder(folder, options);
      return { label: folder.replace(/\/$/, ''), read: u.read, readRange: u.readRange, cachePrefix: folder };
    }
    case 'files':
      return hfFilesReader(source.files, options.onProgress);
    default:
      throw new EngineError('hf-source-invalid', `Unknown model source kind ${JSON.stringify((source as { kind?: unknown }).kind)}.`);
  }
}
