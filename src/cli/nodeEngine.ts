/** The Session as the command line runs it: Node fetch, PNG decoding, a backend picked by flag. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { BackendReport, DatasetFile, EngineEvent } from '../api.ts';
import type { ImageDecoder } from '../data/decodeImage.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { EngineError } from '../errors.ts';
import { Session } from '../session/session.ts';
import type { BackendFlags } from './args.ts';
import { installDawnGpu } from './dawnGpu.ts';
import { useNodeWasmThreads } from './nodeWasmThreads.ts';
import { setWasmPoolThreads } from '../backend/wasmThreads.ts';
import { nodeFetch } from './nodePlatform.ts';

/** Magic numbers of the formats a browser decodes but Node (PNG only) does not. */
const OTHER_FORMATS: [string, number[]][] = [
  ['JPEG', [0xff, 0xd8, 0xff]],
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ['WebP', [0x52, 0x49, 0x46, 0x46]],
  ['BMP', [0x42, 0x4d]],
];

/** decodeImagePng, with a plain sentence for images in formats only the studio (browser) reads. */
export const decodeImageNode: ImageDecoder = async (file, width, height) => {
  const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const other = OTHER_FORMATS.find(([, magic]) => magic.every((b, i) => head[i] === b));
  const avif = String.fromCharCode(...head.slice(4, 12)).startsWith('ftypavi');
  const format = other?.[0] ?? (avif ? 'AVIF' : null);
  if (format) throw new EngineError('image-corrupt', `a ${format} image; the command line decodes PNG only (convert it, or use the studio).`);
  return decodeImagePng(file, width, height);
};

/** A folder on disk as the studio receives a dropped one: paths start with the folder's name. */
export function readDatasetFolder(dir: string): DatasetFile[] {
  const root = resolve(dir);
  const out: DatasetFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push({ path: `${basename(root)}/${relative(root, full).split('\\').join('/')}`, file: new Blob([readFileSync(full)]) });
    }
  };
  walk(root);
  return out;
}

/** `workload` 'lm': XNNPACK's pool keeps one thread, the cores go to our GEMM's (Session.ensureBackend). */
export async function startEngine({ backend, threads, workload }: BackendFlags & { workload?: 'lm' }, emit: (e: EngineEvent) => void = () => {}): Promise<{ engine: Session; report: BackendReport }> {
  // `auto` may pick a GPU and `webgpu` needs one: both see WebGPU through Dawn. The machine's own
  // Vulkan drivers are used unless VK_ICD_FILENAMES says otherwise.
  if (backend === 'webgpu' || backend === 'auto') await installDawnGpu({ preferSwiftShader: !hasGpuDevice() });
  // WASM (asked, or picked by auto) runs TF.js' threaded build on every core unless --threads says otherwise.
  if (backend === 'wasm' || backend === 'auto') {
    useNodeWasmThreads(threads);
    setWasmPoolThreads(workload === 'lm' ? 1 : undefined);
  }
  const engine = new Session({ decodeImage: decodeImageNode, fetch: nodeFetch }, emit);
  const report = await engine.setBackend(backend);
  return { engine, report };
}

/** The backend line the commands print: which one, its WASM threads, and why. */
export function backendLine(report: BackendReport): string {
  const threads = report.threads === undefined ? '' : `, ${report.threads === 1 ? '1 thread' : `${report.threads} threads`}`;
  return `backend ${report.name}${threads} (${report.reason})${report.threadsNote ? `; ${report.threadsNote}` : ''}`;
}

/** A GPU device node (NVIDIA, or a DRM render node): without one, Dawn runs on SwiftShader. */
function hasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((n) => n.startsWith('renderD'));
  } catch {
    return false;
  }
}
