/**
 * Hostile and broken files (scripts/makeHostileCorpus.ts: seeded mutations of the project's valid
 * files plus hand-written attacks) fed to the parser each is meant for. Every one must be refused
 * with an EngineError carrying the expected code and a one-line message, within 2 s, and leave
 * Object.prototype untouched: no TypeError, no RangeError, no hang, no stack trace.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHostileCorpus, zeroBomb, type HostileCase, type HostileParser } from '../../scripts/makeHostileCorpus.ts';
import type { DatasetFile } from '../api.ts';
import { parseCsv } from '../data/csv/parseCsv.ts';
import { decodeImageBrowser } from '../data/decodeImageBrowser.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { decodeUtf8Text } from '../data/text/decodeUtf8Text.ts';
import { parseLmDataset } from '../data/text/parseLmDataset.ts';
import { EngineError } from '../errors.ts';
import { bundleFiles, importRun } from '../export/importRun.ts';
import { readSafetensors, writeSafetensors } from '../export/safetensors.ts';
import { readPeftAdapter } from '../lora/hfPeftFiles.ts';
import { gpt2Modules } from '../lora/hfPeftTestModules.ts';
import { disposeLoraAdapters } from '../lora/loraAdapter.ts';
import { importPeftAdapter } from '../lora/peftAdapter.ts';
import { loadBaseModelFiles, type BaseModel } from '../models/baseModel.ts';
import { loadHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { readSafetensorsHeader } from '../export/safetensorsHeader.ts';
import { tf, type LayersModel } from '../tf.ts';
import { loadTokenizer } from '../tokenizers/loadTokenizer.ts';
import type { LmTokenizer } from '../tokenizers/lmTokenizer.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'tabtune-hostile-'));
const PER_CASE_MS = 2000;
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

let cases: HostileCase[] = [];
let tokenizer: LmTokenizer;
let tinyModel: LayersModel;
const gpt2 = JSON.parse(readFileSync(join(ROOT, 'fixtures/hf-tiny/tiny-gpt2/base/config.json'), 'utf8')) as { n_layer: number; n_embd: number; vocab_size: number };
const modules = gpt2Modules(gpt2.n_layer, gpt2.n_embd, gpt2.vocab_size);
/** importRun only reads the loaded base's summary before it fails. */
const fakeBase = { summary: { name: 'Shapes CNN', featureLayer: 'embedding', featureSize: 64 } } as BaseModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  cases = makeHostileCorpus(DIR);
  const base = join(ROOT, 'fixtures/hf-tiny/tiny-gpt2/base');
  tokenizer = loadTokenizer(readFileSync(join(base, 'tokenizer.json'), 'utf8'), readFileSync(join(base, 'tokenizer_config.json'), 'utf8'), 'tiny-gpt2');
  const input = tf.input({ shape: [4] });
  const d1 = tf.layers.dense({ units: 3, name: 'd1' }).apply(input) as tf.SymbolicTensor;
  const d2 = tf.layers.dense({ units: 2, name: 'd2' }).apply(d1) as tf.SymbolicTensor;
  tinyModel = tf.model({ inputs: input, outputs: d2 });
});

const bytesOf = (c: HostileCase, name?: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(name ? join(DIR, c.path, name) : join(DIR, c.path)));
const textOf = (c: HostileCase, name: string): string => readFileSync(join(DIR, c.path, name), 'utf8');
const blobOf = (c: HostileCase): Blob => new Blob([bytesOf(c)]);

/** Feeds one case to its parser; resolving means the parser accepted the file. */
const RUNNERS: Record<HostileParser, (c: HostileCase) => Promise<unknown>> = {
  safetensors: async (c) => readSafetensors(bytesOf(c), c.path),
  'safetensors-header': async (c) => readSafetensorsHeader(bytesOf(c), c.path),
  'model-json': async (c) => {
    const files: DatasetFile[] = readdirSync(join(DIR, c.path)).map((name) => ({ path: `${c.id}/${name}`, file: new Blob([bytesOf(c, name)]) }));
    const base = await loadBaseModelFiles(files);
    base.model.dispose();
    return base;
  },
  'hf-config': async (c) => loadHfCausalLm(async (name) => (name === 'config.json' ? bytesOf(c) : null), c.id),
  tokenizer: async (c) => {
    const names = readdirSync(join(DIR, c.path));
    return loadTokenizer(textOf(c, 'tokenizer.json'), names.includes('tokenizer_config.json') ? textOf(c, 'tokenizer_config.json') : null, c.id);
  },
  'peft-hf': async (c) => readPeftAdapter(textOf(c, 'adapter_config.json'), bytesOf(c, 'adapter_model.safetensors'), modules, c.id),
  'peft-tfjs': async (c) => {
    const imported = await importPeftAdapter({ 'adapter_config.json': textOf(c, 'adapter_config.json'), 'adapter_model.safetensors': bytesOf(c, 'adapter_model.safetensors') }, tinyModel);
    disposeLoraAdapters(imported.adapters);
    return imported;
  },
  csv: async (c) => parseCsv(bytesOf(c), { onBadRow: 'fail' }),
  jsonl: async (c) => parseLmDataset({ name: c.path, text: decodeUtf8Text(bytesOf(c), c.path) }, tokenizer, { onBadLine: 'fail' }),
  png: async (c) => decodeImagePng(blobOf(c), 32, 32),
  'image-browser': async (c) => decodeImageBrowser(blobOf(c), 32, 32),
  zip: async (c) => importRun(await bundleFiles([{ path: c.path, file: blobOf(c) }]), fakeBase, () => Promise.reject(new Error('no copy in this test'))),
};

interface Outcome {
  c: HostileCase;
  ms: number;
  error: unknown;
}

describe('hostile corpus', () => {
  it('generates at least 300 cases, deterministically', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    const again = makeHostileCorpus(join(DIR, 'again'));
    expect(again.map((c) => `${c.id} ${c.expected} ${c.what}`)).toEqual(cases.map((c) => `${c.id} ${c.expected} ${c.what}`));
    expect(readFileSync(join(DIR, 'again', cases[40]!.path))).toEqual(readFileSync(join(DIR, cases[40]!.path)));
    rmSync(join(DIR, 'again'), { recursive: true, force: true });
  });

  it('refuses every file with its typed error, in bounded time, without polluting Object.prototype', async () => {
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const outcomes: Outcome[] = [];
    for (const c of cases) {
      const t0 = performance.now();
      let error: unknown = null;
      try {
        await RUNNERS[c.parser](c);
      } catch (e) {
        error = e;
      }
      outcomes.push({ c, ms: performance.now() - t0, error });
    }

    const problems: string[] = [];
    for (const { c, ms, error } of outcomes) {
      const label = `${c.id} (${c.what})`;
      if (error === null) problems.push(`${label}: accepted, expected ${c.expected}`);
      else if (!(error instanceof EngineError)) problems.push(`${label}: ${(error as Error)?.constructor?.name}: ${String((error as Error)?.message ?? error).slice(0, 200)}`);
      else if (error.code !== c.expected) problems.push(`${label}: code ${error.code}, expected ${c.expected}: ${error.message.slice(0, 200)}`);
      else if (error.message.length < 15 || error.message.length > 2000 || /\n\s*at /.test(error.message)) problems.push(`${label}: message not one clear line: ${error.message.slice(0, 300)}`);
      if (ms > PER_CASE_MS) problems.push(`${label}: took ${Math.round(ms)} ms`);
    }

    const per = new Map<string, { n: number; worst: number; worstId: string }>();
    for (const { c, ms } of outcomes) {
      const p = per.get(c.parser) ?? { n: 0, worst: 0, worstId: '' };
      p.n++;
      if (ms > p.worst) Object.assign(p, { worst: ms, worstId: c.id });
      per.set(c.parser, p);
    }
    console.log(
      `hostile corpus: ${outcomes.length} cases\n` +
        [...per].map(([parser, p]) => `  ${parser.padEnd(20)} ${String(p.n).padStart(4)} cases, worst ${Math.round(p.worst)} ms (${p.worstId})`).join('\n'),
    );
    expect(problems).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads a tensor named __proto__ into a Map, leaving Object.prototype alone', () => {
    const tensors = JSON.parse('{"__proto__":{"dtype":"F32","shape":[1]},"constructor":{"dtype":"U8","shape":[2]}}') as Record<string, { dtype: 'F32' | 'U8'; shape: number[]; data?: Uint8Array }>;
    tensors['__proto__']!.data = new Uint8Array(new Float32Array([7]).buffer);
    tensors['constructor']!.data = new Uint8Array(2);
    const bytes = writeSafetensors(tensors as never);
    const file = readSafetensors(bytes);
    expect([...file.tensors.keys()].sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(typeof ({} as { constructor: unknown }).constructor).toBe('function');
  });

  it('the zip bomb generator really makes a bomb (checked small)', () => {
    const out = inflateSync(zeroBomb(1 << 20));
    expect(out.length).toBeGreaterThanOrEqual(1 << 20);
    expect(out.every((b) => b === 0)).toBe(true);
  });
});
