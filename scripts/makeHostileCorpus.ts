/**
 * A corpus of hostile and broken files, for src/security/hostileCorpus.test.ts: seeded mutations of the
 * project's own valid files (truncations at random offsets, flipped bytes, wrong header lengths,
 * dtypes, shapes and offsets, duplicate keys, invalid UTF-8, zip bombs and `../` paths, PNGs that
 * declare billions of pixels, broken CSV and JSONL) plus hand-written cases. Every case names the
 * parser to feed it to and the EngineError code that parser must answer with.
 *
 *   npx tsx scripts/makeHostileCorpus.ts [--out=DIR] [--seed=N]     (default test-results/hostile-corpus)
 *
 * Writes the files and DIR/manifest.json. Deterministic: the same seed writes the same bytes.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync } from 'fflate';
import { writeSafetensors } from '../src/export/safetensors.ts';
import { mulberry32, randomInt, type Rng } from './rng.ts';

export type HostileParser =
  | 'safetensors' // readSafetensors(bytes)
  | 'safetensors-header' // readSafetensorsHeader(bytes)
  | 'model-json' // loadBaseModelFiles(model.json, weights.bin, tabtune.json in the case folder)
  | 'hf-config' // loadHfCausalLm with the case's config.json
  | 'tokenizer' // loadTokenizer(tokenizer.json, tokenizer_config.json)
  | 'peft-hf' // readPeftAdapter(adapter_config.json, adapter_model.safetensors) on tiny-gpt2's modules
  | 'peft-tfjs' // importPeftAdapter on a two-Dense model (d1: 4 -> 3, d2: 3 -> 2)
  | 'csv' // parseCsv(bytes, { onBadRow: 'fail' })
  | 'jsonl' // decodeUtf8Text + parseLmDataset(..., { onBadLine: 'fail' }) with tiny-gpt2's tokenizer
  | 'png' // decodeImagePng(blob, 32, 32)
  | 'image-browser' // decodeImageBrowser(blob, 32, 32): the header check runs before createImageBitmap
  | 'zip'; // bundleFiles([run.zip]) then importRun

export interface HostileCase {
  id: string;
  parser: HostileParser;
  /** Path in the corpus folder: a file, or a folder for multi-file parsers (model-json, tokenizer, peft-*). */
  path: string;
  expected: string;
  what: string;
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const enc = new TextEncoder();
const src = (p: string): Uint8Array => new Uint8Array(readFileSync(join(ROOT, p)));
const text = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const deep = (n: number, inner = '0'): string => '['.repeat(n) + inner + ']'.repeat(n);

// ---------------------------------------------------------------- safetensors helpers

function splitSafetensors(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array; headerLen: number } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  return { header, data: bytes.subarray(8 + n), headerLen: n };
}

function joinSafetensors(headerText: string, data: Uint8Array, declared?: bigint): Uint8Array {
  const h = enc.encode(headerText);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, declared ?? BigInt(h.length), true);
  return cat(len, h, data);
}

/** Tensor names (not __metadata__) in offset order. */
const tensorNames = (header: Record<string, unknown>): string[] =>
  Object.keys(header)
    .filter((k) => k !== '__metadata__')
    .sort((a, b) => ((header[a] as { data_offsets: number[] }).data_offsets[0]! - (header[b] as { data_offsets: number[] }).data_offsets[0]!));

// ---------------------------------------------------------------- zip writer (full control over every field)

interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** Deflate (default) or store. */
  store?: boolean;
  /** Raw compressed bytes to write instead of deflating `data`. */
  raw?: Uint8Array;
  declaredSize?: number;
  flags?: number;
  method?: number;
}

function zipBytes(entries: ZipEntry[], opts: { zip64Marker?: boolean; cdCount?: number } = {}): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const body = e.raw ?? (e.store ? e.data : deflateSync(e.data));
    const method = e.method ?? (e.store ? 0 : 8);
    const size = e.declaredSize ?? e.data.length;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, e.flags ?? 0, true);
    lv.setUint16(8, method, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, e.flags ?? 0, true);
    cv.setUint16(10, method, true);
    cv.setUint32(20, opts.zip64Marker ? 0xffffffff : body.length, true);
    cv.setUint32(24, opts.zip64Marker ? 0xffffffff : size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cd = cat(...centrals);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  const count = opts.cdCount ?? entries.length;
  ev.setUint16(8, count, true);
  ev.setUint16(10, count, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, offset, true);
  return cat(...locals, cd, eocd);
}

/**
 * Raw DEFLATE for about `outBytes` zero bytes in outBytes/160 bytes: one fixed-Huffman block of a
 * literal 0 then "copy 258 bytes from distance 1" codes (13 bits each: 8 codes repeat every 13 bytes).
 */
export function zeroBomb(outBytes: number): Uint8Array {
  const reps = Math.max(3, Math.ceil((outBytes - 1) / (258 * 8)));
  const proto = new Uint8Array(64);
  let pos = 0;
  const bit = (b: number) => {
    if (b) proto[pos >> 3]! |= 1 << (pos & 7);
    pos++;
  };
  const huff = (code: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) bit((code >> i) & 1);
  };
  bit(1); // BFINAL
  bit(1); // BTYPE = 01 (fixed Huffman), low bit first
  bit(0);
  huff(0x30, 8); // literal 0
  for (let k = 0; k < 24; k++) {
    huff(0b11000101, 8); // length code 285: 258 bytes
    huff(0, 5); // distance code 0: distance 1
  }
  const endBits = 11 + reps * 104; // then end of block: code 256, seven 0 bits
  const out = new Uint8Array(Math.ceil((endBits + 7) / 8) + 1);
  const full = Math.floor(endBits / 8);
  out.set(proto.subarray(0, 2));
  for (let i = 2; i < full; i++) out[i] = proto[2 + ((i - 2) % 13)]!;
  out[full] = proto[2 + ((full - 2) % 13)]! & ((1 << (endBits % 8)) - 1);
  return out;
}

// ---------------------------------------------------------------- PNG helpers

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
/** A copy of a PNG with IHDR's width and height replaced (CRC fixed, so only the size is wrong). */
function pngWithSize(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = png.slice();
  const v = new DataView(out.buffer);
  v.setUint32(16, width >>> 0);
  v.setUint32(20, height >>> 0);
  v.setUint32(29, crc32(out.subarray(12, 29)));
  return out;
}

// ---------------------------------------------------------------- the corpus

export function makeHostileCorpus(outDir: string, seed = 20250611): HostileCase[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const rng: Rng = mulberry32(seed);
  const cases: HostileCase[] = [];
  const counters = new Map<string, number>();
  const add = (parser: HostileParser, expected: string, what: string, files: Record<string, Uint8Array | string>, single = true): void => {
    const n = (counters.get(parser) ?? 0) + 1;
    counters.set(parser, n);
    const id = `${parser}-${String(n).padStart(3, '0')}`;
    const names = Object.keys(files);
    let path: string;
    if (single && names.length === 1) {
      path = `${id}-${names[0]}`;
      writeFileSync(join(outDir, path), files[names[0]!]!);
    } else {
      path = id;
      for (const name of names) {
        mkdirSync(dirname(join(outDir, id, name)), { recursive: true });
        writeFileSync(join(outDir, id, name), files[name]!);
      }
    }
    cases.push({ id, parser, path, expected, what });
  };
  const between = (lo: number, hi: number): number => lo + randomInt(rng, hi - lo);

  // ------------------------------------------------ safetensors
  const adapterSt = src('fixtures/hf-tiny/tiny-gpt2/adapter/adapter_model.safetensors');
  const modelSt = src('fixtures/hf-tiny/tiny-gpt2/base/model.safetensors');
  const ST = 'safetensors-invalid';
  for (let i = 0; i < 30; i++) {
    const base = i % 3 === 0 ? modelSt : adapterSt;
    const cut = i < 4 ? [0, 1, 7, 8][i]! : between(9, base.length - 1);
    add('safetensors', ST, `truncated at byte ${cut} of ${base.length}`, { 'model.safetensors': base.slice(0, cut) });
  }
  const { header: aHeader, data: aData, headerLen: aLen } = splitSafetensors(adapterSt);
  for (let i = 0; i < 20; i++) {
    const out = adapterSt.slice();
    const at = between(8, 8 + aLen);
    out[at] = out[at]! ^ 0x80; // an ASCII byte turned into a byte no UTF-8 sequence allows there
    add('safetensors', ST, `header byte ${at} flipped (invalid UTF-8)`, { 'model.safetensors': out });
  }
  const aText = JSON.stringify(aHeader);
  const names = tensorNames(aHeader);
  const first = names[0]!;
  const second = names[1]!;
  const withEntry = (name: string, patch: Record<string, unknown> | unknown): string => {
    const h: Record<string, unknown> = { ...aHeader };
    h[name] = typeof patch === 'object' && patch !== null && !Array.isArray(patch) ? { ...(aHeader[name] as object), ...patch } : patch;
    return JSON.stringify(h);
  };
  const structural: [string, Uint8Array][] = [
    ['header length 0', joinSafetensors(aText, aData, 0n)],
    ['header length 1', joinSafetensors(aText, aData, 1n)],
    ['header length one past the file', joinSafetensors(aText, aData, BigInt(aText.length + aData.length + 1))],
    ['header length 2^63', joinSafetensors(aText, aData, 1n << 63n)],
    ['header length 2^64 - 1', joinSafetensors(aText, aData, (1n << 64n) - 1n)],
    ['header length just above the 100 MB limit', joinSafetensors(aText, aData, 100n * 1024n * 1024n + 1n)],
    ['header length one short', joinSafetensors(aText, aData, BigInt(aText.length - 1))],
    ['header length one long', joinSafetensors(aText, aData, BigInt(aText.length + 1))],
    ['header is an array', joinSafetensors('[1,2,3]', aData)],
    ['header is a number', joinSafetensors('12345678', aData)],
    ['header is null', joinSafetensors('null    ', aData)],
    ['header is a string', joinSafetensors('"tensor"', aData)],
    ['header is not JSON', joinSafetensors('{not json', aData)],
    ['header has a trailing comma', joinSafetensors(aText.replace(/}$/, ',}'), aData)],
    ['unknown dtype F33', joinSafetensors(withEntry(first, { dtype: 'F33' }), aData)],
    ['lowercase dtype f32', joinSafetensors(withEntry(first, { dtype: 'f32' }), aData)],
    ['numeric dtype', joinSafetensors(withEntry(first, { dtype: 4 }), aData)],
    ['dtype __proto__', joinSafetensors(withEntry(first, { dtype: '__proto__' }), aData)],
    ['dtype toString', joinSafetensors(withEntry(first, { dtype: 'toString' }), aData)],
    ['dtype F64 (size mismatch)', joinSafetensors(withEntry(first, { dtype: 'F64' }), aData)],
    ['negative shape', joinSafetensors(withEntry(first, { shape: [-4, 32] }), aData)],
    ['fractional shape', joinSafetensors(withEntry(first, { shape: [4.5, 32] }), aData)],
    ['string shape', joinSafetensors(withEntry(first, { shape: ['4', '32'] }), aData)],
    ['shape 1e400 (Infinity)', joinSafetensors(withEntry(first, {}).replace('"shape":[4,32]', '"shape":[1e400,32]'), aData)],
    ['shape beyond 2^53', joinSafetensors(withEntry(first, {}).replace('"shape":[4,32]', '"shape":[9007199254740993,32]'), aData)],
    ['shape product overflows', joinSafetensors(withEntry(first, { shape: [4294967296, 4294967296, 4294967296] }), aData)],
    ['shape nested 50,000 deep', joinSafetensors(withEntry(first, {}).replace('"shape":[4,32]', `"shape":${deep(50000)}`), aData)],
    ['shape with a million entries', joinSafetensors(withEntry(first, {}).replace('"shape":[4,32]', `"shape":[${new Array(1_000_000).fill(1).join(',')}]`), aData)],
    ['shape of the wrong size', joinSafetensors(withEntry(first, { shape: [4, 33] }), aData)],
    ['offsets reversed', joinSafetensors(withEntry(first, { data_offsets: [512, 0] }), aData)],
    ['offsets with three numbers', joinSafetensors(withEntry(first, { data_offsets: [0, 512, 1024] }), aData)],
    ['offsets not a list', joinSafetensors(withEntry(first, { data_offsets: '0-512' }), aData)],
    ['negative offsets', joinSafetensors(withEntry(first, { data_offsets: [-512, 0] }), aData)],
    ['offsets past the end', joinSafetensors(withEntry(first, { data_offsets: [aData.length, aData.length + 512] }), aData)],
    ['offsets leave a gap at 0', joinSafetensors(withEntry(first, { data_offsets: [8, 520] }), aData)],
    ['two tensors overlap', joinSafetensors(withEntry(second, { data_offsets: [0, (aHeader[second] as { data_offsets: number[] }).data_offsets[1]! - (aHeader[second] as { data_offsets: number[] }).data_offsets[0]!] }), aData)],
    ['trailing bytes after the last tensor', joinSafetensors(aText, cat(aData, new Uint8Array(16)))],
    ['one byte missing at the end', joinSafetensors(aText, aData.subarray(0, aData.length - 1))],
    ['duplicate tensor key (the later wins, one range uncovered)', joinSafetensors(aText.replace(/}$/, `,${JSON.stringify(first)}:${JSON.stringify(aHeader[second])}}`), aData)],
    ['entry is null', joinSafetensors(withEntry(first, null), aData)],
    ['entry is a number', joinSafetensors(withEntry(first, 7), aData)],
    ['__metadata__ holds a number', joinSafetensors(aText.replace('"format":"pt"', '"format":1'), aData)],
    ['__metadata__ is an array', joinSafetensors(aText.replace('{"format":"pt"}', '["pt"]'), aData)],
    ['__metadata__ has a __proto__ object', joinSafetensors(aText.replace('{"format":"pt"}', '{"__proto__":{"polluted":"yes"}}'), aData)],
    ['__proto__ tensor with a bad dtype', joinSafetensors(aText.replace(/}$/, ',"__proto__":{"dtype":"EVIL","shape":[1],"data_offsets":[0,1]}}'), aData)],
    ['constructor tensor with a bad shape', joinSafetensors(aText.replace(/}$/, ',"constructor":{"dtype":"F32","shape":"x","data_offsets":[0,4]}}'), aData)],
    ['tensor name of 100,000 characters', joinSafetensors(aText.replace(/}$/, `,"${'n'.repeat(100_000)}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`), aData)],
    ['100,001 tiny entries (above the entry cap)', joinSafetensors(`{${Array.from({ length: 100_001 }, (_, i) => `"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`).join(',')}}`, new Uint8Array(0))],
    ['header in UTF-16', cat(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0]), new Uint8Array([0xff, 0xfe, 0x7b, 0, 0x7d, 0, 0x20, 0]))],
    ['header with a lone surrogate (CESU-8)', joinSafetensors(aText.replace('"pt"', '"\u0000pt"'), aData).map((b, i, a) => (i > 8 && a[i - 1] === 0x22 && b === 0 ? 0xed : b))],
    ['header starts with a byte-order mark', cat(new Uint8Array([aText.length + 3, (aText.length + 3) >> 8, 0, 0, 0, 0, 0, 0]), new Uint8Array([0xef, 0xbb, 0xbf]), enc.encode(aText), aData)],
    ['random bytes', Uint8Array.from({ length: 4096 }, () => randomInt(rng, 256))],
  ];
  for (const [what, bytes] of structural) {
    add('safetensors', ST, what, { 'model.safetensors': bytes });
    // The header-only reader (used to size a model before downloading it) sees the same files.
    if (!/trailing bytes|one byte missing|gap at 0|overlap|duplicate tensor|truncated|past the end/.test(what)) {
      add('safetensors-header', ST, what, { 'model.safetensors': bytes });
    }
  }

  // ------------------------------------------------ model.json + shards + tabtune.json
  const modelJson = text('public/models/shapes-cnn/model.json');
  const weights = src('public/models/shapes-cnn/weights.bin');
  const tabtune = text('public/models/shapes-cnn/tabtune.json');
  const mj = JSON.parse(modelJson) as { modelTopology: Record<string, unknown>; weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[] };
  const model = (what: string, expected: string, files: { json?: string; bin?: Uint8Array | null; meta?: string | null }) => {
    const f: Record<string, Uint8Array | string> = { 'model.json': files.json ?? modelJson };
    if (files.bin !== null) f['weights.bin'] = files.bin ?? weights;
    if (files.meta !== null) f['tabtune.json'] = files.meta ?? tabtune;
    add('model-json', expected, what, f, false);
  };
  const mutate = (fn: (m: typeof mj) => void): string => {
    const m = JSON.parse(modelJson) as typeof mj;
    fn(m);
    return JSON.stringify(m);
  };
  const lastBrace = modelJson.lastIndexOf('}');
  for (let i = 0; i < 8; i++) model(`model.json truncated`, 'model-invalid', { json: modelJson.slice(0, between(1, lastBrace)) });
  for (let i = 0; i < 6; i++) model('weights.bin truncated', 'model-invalid', { bin: weights.slice(0, between(0, weights.length)) });
  model('weights.bin with extra bytes', 'model-invalid', { bin: cat(weights, new Uint8Array(4)) });
  model('weights.bin missing', 'model-invalid', { bin: null });
  const MI = 'model-invalid';
  const jsonCases: [string, string][] = [
    ['model.json is empty', ''],
    ['model.json is null', 'null'],
    ['model.json is an array', '[]'],
    ['model.json is a number', '1e400'],
    ['no modelTopology', mutate((m) => delete (m as Partial<typeof mj>).modelTopology)],
    ['modelTopology is a string', mutate((m) => ((m as Record<string, unknown>).modelTopology = 'Model'))],
    ['weightsManifest is an object', mutate((m) => ((m as Record<string, unknown>).weightsManifest = { paths: [] }))],
    ['a group without weights', mutate((m) => delete (m.weightsManifest[0] as Partial<(typeof mj.weightsManifest)[0]>).weights)],
    ['paths is a string', mutate((m) => ((m.weightsManifest[0] as Record<string, unknown>).paths = 'weights.bin'))],
    ['a path is a number', mutate((m) => ((m.weightsManifest[0] as Record<string, unknown>).paths = [7]))],
    ['a weight is null', mutate((m) => ((m.weightsManifest[0]!.weights as unknown[])[0] = null))],
    ['a weight shape is a string', mutate((m) => ((m.weightsManifest[0]!.weights[0] as Record<string, unknown>).shape = '3x3'))],
    ['a weight shape holds -1', mutate((m) => (m.weightsManifest[0]!.weights[0]!.shape = [-1, 3, 3, 16]))],
    ['a weight shape holds 1e308', mutate((m) => (m.weightsManifest[0]!.weights[0]!.shape = [1e308, 3]))],
    ['a weight dtype is complex64', mutate((m) => (m.weightsManifest[0]!.weights[0]!.dtype = 'complex64'))],
    ['a weight dtype is string', mutate((m) => (m.weightsManifest[0]!.weights[0]!.dtype = 'string'))],
    ['a weight quantization is a number', mutate((m) => ((m.weightsManifest[0]!.weights[0] as Record<string, unknown>).quantization = 8))],
    ['format graph-model', mutate((m) => ((m as Record<string, unknown>).format = 'graph-model'))],
    ['format is an object', mutate((m) => ((m as Record<string, unknown>).format = { x: 1 }))],
    ['modelTopology nested 100,000 deep', modelJson.replace('"modelTopology":{', `"modelTopology":{"deep":${deep(100_000)},`)],
    ['a Dense layer with 10^9 units', modelJson.replace('"units":', '"units":1000000000,"was":')],
    ['a Conv2D layer with 10^8 filters', modelJson.replace('"filters":', '"filters":100000000,"was":')],
    ['an unknown layer class', modelJson.replace('"class_name":"Conv2D"', '"class_name":"EvilLayer"')],
    ['two weight shapes swapped (sizes no longer fit the layers)', mutate((m) => {
      const w = m.weightsManifest[0]!.weights;
      const [a, b] = [w[0]!, w[1]!];
      [a.shape, b.shape] = [b.shape, a.shape];
    })],
  ];
  for (const [what, json] of jsonCases) {
    const expected = what.includes('swapped') ? 'model-load-failed' : MI;
    model(what, expected, { json });
  }
  const metaCases: [string, string, string][] = [
    ['tabtune.json is not JSON', '{"name": "x",', MI],
    ['tabtune.json is an array', '[1]', MI],
    ['tabtune.json pixelScale is a string', '{"pixelScale":"1/255"}', MI],
    ['tabtune.json pixelScale is negative', '{"pixelScale":-1}', MI],
    ['tabtune.json featureLayer is a number', '{"featureLayer":5}', MI],
    ['tabtune.json name is an object', '{"name":{"__proto__":{"polluted":1}}}', MI],
    ['tabtune.json nested 100,000 deep', `{"name":${deep(100_000)}}`, MI],
    ['tabtune.json featureLayer names no layer', '{"featureLayer":"nope"}', 'model-unsupported'],
    ['tabtune.json featureLayer is the input', '{"featureLayer":"image"}', 'model-unsupported'],
  ];
  for (const [what, meta, expected] of metaCases) model(what, expected, { meta });

  // ------------------------------------------------ HF config.json
  const cfgText = text('fixtures/hf-tiny/tiny-gpt2/base/config.json');
  const cfg = JSON.parse(cfgText) as Record<string, unknown>;
  const CI = 'hf-config-invalid';
  const cfgWith = (patch: Record<string, unknown>): string => JSON.stringify({ ...cfg, ...patch });
  const cfgCases: [string, string, string][] = [
    ['empty', '', CI],
    ['truncated', cfgText.slice(0, Math.floor(cfgText.length / 2)), CI],
    ['truncated near the end', cfgText.slice(0, cfgText.lastIndexOf('}')), CI],
    ['an array', '[{"model_type":"gpt2"}]', CI],
    ['null', 'null', CI],
    ['no model_type', JSON.stringify({ ...cfg, model_type: undefined }), CI],
    ['model_type bert', cfgWith({ model_type: 'bert' }), 'hf-model-unsupported'],
    ['model_type __proto__', cfgWith({ model_type: '__proto__' }), 'hf-model-unsupported'],
    ['model_type only under __proto__', JSON.stringify({ ...cfg, model_type: undefined }).replace(/^\{/, '{"__proto__":{"model_type":"gpt2"},'), CI],
    ['n_embd a string', cfgWith({ n_embd: '32' }), CI],
    ['n_embd negative', cfgWith({ n_embd: -32 }), CI],
    ['n_embd fractional', cfgWith({ n_embd: 32.5 }), CI],
    ['n_embd 1e400', cfgText.replace(/"n_embd":\s*\d+/, '"n_embd": 1e400'), CI],
    ['n_embd 2^60', cfgText.replace(/"n_embd":\s*\d+/, '"n_embd": 1152921504606846976'), CI],
    ['n_embd nested 100,000 deep', cfgText.replace(/"n_embd":\s*\d+/, `"n_embd": ${deep(100_000)}`), CI],
    ['n_head does not divide n_embd', cfgWith({ n_head: 7 }), CI],
    ['n_layer zero', cfgWith({ n_layer: 0 }), CI],
    ['activation relu', cfgWith({ activation_function: 'relu' }), 'hf-model-unsupported'],
    ['activation nested deep', cfgText.replace(/"activation_function":\s*"[^"]*"/, `"activation_function": ${deep(50_000)}`), 'hf-model-unsupported'],
    ['layer_norm_epsilon a string', cfgWith({ layer_norm_epsilon: '1e-5' }), CI],
    ['tie_word_embeddings a string', cfgWith({ tie_word_embeddings: 'yes' }), CI],
    ['llama with rope mrope', JSON.stringify({ model_type: 'llama', hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 2, vocab_size: 100, intermediate_size: 128, max_position_embeddings: 64, rope_scaling: { rope_type: 'mrope', factor: 4 } }), 'hf-model-unsupported'],
    ['llama rope_scaling an array', JSON.stringify({ model_type: 'llama', hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 2, vocab_size: 100, intermediate_size: 128, max_position_embeddings: 64, rope_scaling: [1] }), CI],
  ];
  for (const [what, t, expected] of cfgCases) add('hf-config', expected, what, { 'config.json': t });
  add('hf-config', CI, 'binary bytes', { 'config.json': Uint8Array.from({ length: 512 }, () => 128 + randomInt(rng, 128)) });

  // ------------------------------------------------ tokenizer.json + tokenizer_config.json
  const tokText = text('fixtures/hf-tiny/tiny-gpt2/base/tokenizer.json');
  const tokCfgText = text('fixtures/hf-tiny/tiny-gpt2/base/tokenizer_config.json');
  const tok = JSON.parse(tokText) as Record<string, unknown> & { model: Record<string, unknown> };
  const tokenizer = (what: string, expected: string, json: string, config: string | null = tokCfgText) => {
    const f: Record<string, string> = { 'tokenizer.json': json };
    if (config !== null) f['tokenizer_config.json'] = config;
    add('tokenizer', expected, what, f, false);
  };
  for (let i = 0; i < 5; i++) tokenizer('tokenizer.json truncated', 'tokenizer-invalid-json', tokText.slice(0, between(1, tokText.lastIndexOf('}'))));
  tokenizer('tokenizer.json empty', 'tokenizer-invalid-json', '');
  tokenizer('tokenizer.json an array', 'tokenizer-invalid', '[]');
  tokenizer('no model section', 'tokenizer-invalid', JSON.stringify({ ...tok, model: undefined }));
  tokenizer('model only under __proto__', 'tokenizer-invalid', JSON.stringify({ ...tok, model: undefined }).replace(/^\{/, `{"__proto__":{"model":${JSON.stringify(tok.model)}},`));
  tokenizer('model type WordLevel', 'tokenizer-unsupported-model', JSON.stringify({ ...tok, model: { ...tok.model, type: 'WordLevel' } }));
  tokenizer('model type nested deep', 'tokenizer-unsupported-model', JSON.stringify({ ...tok, model: { ...tok.model, type: 'X' } }).replace('"type":"X"', `"type":${deep(50_000)}`));
  tokenizer('vocab is a string', 'tokenizer-invalid', JSON.stringify({ ...tok, model: { ...tok.model, vocab: 'abc' } }));
  tokenizer('merges is a number', 'tokenizer-invalid', JSON.stringify({ ...tok, model: { ...tok.model, merges: 5 } }));
  tokenizer('tokenizer_config.json truncated', 'tokenizer-invalid-json', tokText, tokCfgText.slice(0, 20));
  tokenizer('tokenizer_config.json an array', 'tokenizer-invalid', tokText, '["eos"]');
  tokenizer('tokenizer_config.json null', 'tokenizer-invalid', tokText, 'null');
  tokenizer('chat_template is broken Jinja', 'chat-template-invalid', tokText, JSON.stringify({ ...JSON.parse(tokCfgText), chat_template: '{% if %}{{ messages' }));
  tokenizer('chat_template nests 10,000 blocks', 'chat-template-invalid', tokText, JSON.stringify({ ...JSON.parse(tokCfgText), chat_template: '{% if true %}'.repeat(10_000) }));

  // ------------------------------------------------ PEFT adapter (Hugging Face LM)
  const peftCfgText = text('fixtures/hf-tiny/tiny-gpt2/adapter/adapter_config.json');
  const peftCfg = JSON.parse(peftCfgText) as Record<string, unknown>;
  const PI = 'peft-adapter-invalid';
  const PU = 'peft-adapter-unsupported';
  const peft = (what: string, expected: string, config: string, st: Uint8Array = adapterSt) =>
    add('peft-hf', expected, what, { 'adapter_config.json': config, 'adapter_model.safetensors': st }, false);
  const pc = (patch: Record<string, unknown>): string => JSON.stringify({ ...peftCfg, ...patch });
  for (let i = 0; i < 4; i++) peft('adapter_config.json truncated', PI, peftCfgText.slice(0, between(1, peftCfgText.lastIndexOf('}'))));
  const peftCases: [string, string, string][] = [
    ['an array', '[]', PI],
    ['peft_type IA3', pc({ peft_type: 'IA3' }), PU],
    ['peft_type missing', pc({ peft_type: undefined }), PU],
    ['DoRA', pc({ use_dora: true }), PU],
    ['bias all', pc({ bias: 'all' }), PU],
    ['modules_to_save', pc({ modules_to_save: ['lm_head'] }), PU],
    ['r zero', pc({ r: 0 }), PI],
    ['r a string', pc({ r: '4' }), PI],
    ['r fractional', pc({ r: 4.5 }), PI],
    ['r 1e400', peftCfgText.replace(/"r":\s*4/, '"r": 1e400'), PI],
    ['r nested deep', peftCfgText.replace(/"r":\s*4/, `"r": ${deep(50_000)}`), PI],
    ['r 8 (tensors are rank 4)', pc({ r: 8 }), PI],
    ['lora_alpha a string', pc({ lora_alpha: 'eight' }), PI],
    ['lora_dropout 1', pc({ lora_dropout: 1 }), PI],
    ['target_modules a number', pc({ target_modules: 5 }), PI],
    ['target_modules missing', pc({ target_modules: null }), PI],
    ['target_modules a broken regex', pc({ target_modules: '(c_attn' }), 'peft-pattern-invalid'],
    ['target_modules matches nothing here', pc({ target_modules: ['q_proj'] }), PI],
    ['rank_pattern holds a string', pc({ rank_pattern: { c_attn: 'x' } }), PI],
    ['rank_pattern nested deep', peftCfgText.replace('"rank_pattern": {}', `"rank_pattern": {"c_attn": ${deep(50_000)}}`), PI],
    ['layers_to_transform a string', pc({ layers_to_transform: 'all' }), PI],
    ['use_rslora a string', pc({ use_rslora: 'yes' }), PI],
    ['__proto__ holds r', pc({ r: undefined }).replace(/^\{/, '{"__proto__":{"r":4},'), PI],
  ];
  for (const [what, config, expected] of peftCases) peft(what, expected, config);
  for (let i = 0; i < 4; i++) peft('adapter_model.safetensors truncated', ST, peftCfgText, adapterSt.slice(0, between(0, adapterSt.length)));
  peft('tensors without the base_model.model. prefix', PI, peftCfgText, joinSafetensors(aText.replaceAll('base_model.model.', 'model.'), aData));
  peft('an F64 lora_A', ST, peftCfgText, joinSafetensors(withEntry(first, { dtype: 'F64' }), aData));
  peft('a U8 lora weight', PI, peftCfgText, joinSafetensors(withEntry(first, { dtype: 'U8', shape: [4, 32, 4] }), aData));
  peft('an extra tensor', PI, peftCfgText, writeSafetensors({ ...Object.fromEntries(names.map((n) => { const e = aHeader[n] as { shape: number[]; data_offsets: number[] }; return [n, { dtype: 'F32' as const, shape: e.shape, data: aData.slice(e.data_offsets[0], e.data_offsets[1]) }]; })), 'base_model.model.transformer.h.0.attn.c_attn.lora_E.weight': { dtype: 'F32', shape: [1], data: new Float32Array(1) } }, { format: 'pt' }));

  // ------------------------------------------------ PEFT adapter (TF.js layers model: d1 4 -> 3, d2 3 -> 2)
  const tfCfg = { peft_type: 'LORA', task_type: null, r: 2, lora_alpha: 4, lora_dropout: 0, target_modules: ['d1'], rank_pattern: {}, alpha_pattern: {}, bias: 'none', use_dora: false, modules_to_save: null };
  const tfSt = (over: Record<string, { shape: number[]; dtype?: 'F32' | 'F16' }> = {}) => {
    const t = Object.create(null) as Record<string, { dtype: 'F32' | 'F16'; shape: number[]; data: Uint8Array }>;
    const entries = { 'base_model.model.d1.lora_A.weight': { shape: [2, 4] }, 'base_model.model.d1.lora_B.weight': { shape: [3, 2] }, ...over };
    for (const [n, e] of Object.entries(entries)) {
      const dtype = (e as { dtype?: 'F32' | 'F16' }).dtype ?? 'F32';
      t[n] = { dtype, shape: e.shape, data: new Uint8Array(e.shape.reduce((a, b) => a * b, 1) * (dtype === 'F32' ? 4 : 2)) };
    }
    return writeSafetensors(t, { format: 'pt' });
  };
  const tfPeft = (what: string, expected: string, config: string, st: Uint8Array = tfSt()) =>
    add('peft-tfjs', expected, what, { 'adapter_config.json': config, 'adapter_model.safetensors': st }, false);
  const tc = (patch: Record<string, unknown>) => JSON.stringify({ ...tfCfg, ...patch });
  tfPeft('adapter_config.json not JSON', PI, '{"peft_type":');
  tfPeft('adapter_config.json null', PI, 'null');
  tfPeft('target_modules a regex string', PI, tc({ target_modules: '.*' }));
  tfPeft('fan_in_fan_out true', PI, tc({ fan_in_fan_out: true }));
  tfPeft('lora_alpha zero', PI, tc({ lora_alpha: 0 }));
  tfPeft('rank_pattern names no target', PI, tc({ rank_pattern: { d2: 4 } }));
  tfPeft('modules_to_save a string', PI, tc({ modules_to_save: 'd2' }));
  tfPeft('target module not in the model', PI, tc({ target_modules: ['d1', 'nope'] }), tfSt());
  tfPeft('lora_A of the wrong shape', PI, JSON.stringify(tfCfg), tfSt({ 'base_model.model.d1.lora_A.weight': { shape: [2, 5] } }));
  tfPeft('F16 weights', PI, JSON.stringify(tfCfg), tfSt({ 'base_model.model.d1.lora_A.weight': { shape: [2, 4], dtype: 'F16' } }));
  tfPeft('a tensor for an unknown layer', PI, JSON.stringify(tfCfg), tfSt({ 'base_model.model.zz.lora_A.weight': { shape: [2, 4] } }));
  tfPeft('a tensor named __proto__', PI, JSON.stringify(tfCfg), tfSt(JSON.parse('{"__proto__":{"shape":[1]}}') as Record<string, { shape: number[] }>));
  for (let i = 0; i < 3; i++) {
    const st = tfSt();
    tfPeft('adapter_model.safetensors truncated', ST, JSON.stringify(tfCfg), st.slice(0, between(0, st.length)));
  }

  // ------------------------------------------------ CSV
  const csv = src('public/datasets/plants-sample.csv');
  const csvText = new TextDecoder().decode(csv);
  const csvLines = csvText.split('\n');
  const dataLine = () => between(1, Math.min(csvLines.length - 1, 200));
  const withLine = (i: number, line: string) => csvLines.map((l, k) => (k === i ? line : l)).join('\n');
  for (let i = 0; i < 8; i++) {
    const k = dataLine();
    const fields = csvLines[k]!.split(',');
    const f = between(0, fields.length);
    fields[f] = `"${fields[f]}`;
    add('csv', 'csv-bad-row', `line ${k + 1}: an unclosed quote`, { 'data.csv': withLine(k, fields.join(',')) });
  }
  for (let i = 0; i < 6; i++) {
    const k = dataLine();
    const fields = csvLines[k]!.split(',');
    fields.splice(between(0, fields.length), 1);
    add('csv', 'csv-bad-row', `line ${k + 1}: a field missing`, { 'data.csv': withLine(k, fields.join(',')) });
  }
  for (let i = 0; i < 4; i++) {
    const k = dataLine();
    add('csv', 'csv-bad-row', `line ${k + 1}: an extra field`, { 'data.csv': withLine(k, `${csvLines[k]},extra`) });
  }
  for (let i = 0; i < 3; i++) {
    const k = dataLine();
    add('csv', 'csv-bad-row', `line ${k + 1}: text after a closing quote`, { 'data.csv': withLine(k, csvLines[k]!.replace(',', ',"x"y')) });
  }
  for (let i = 0; i < 5; i++) {
    const at = between(0, csv.length);
    add('csv', 'csv-binary', `a NUL byte at ${at}`, { 'data.csv': cat(csv.subarray(0, at), new Uint8Array([0]), csv.subarray(at)) });
  }
  const badUtf8: [string, number[]][] = [
    ['0xFF', [0xff]],
    ['a lone continuation byte', [0x80]],
    ['a lead byte without its continuation', [0xc3, 0x41]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['Latin-1 e-acute', [0xe9]],
  ];
  for (const [what, bytes] of badUtf8) {
    const at = csvText.indexOf('\n', between(0, csv.length - 10)) + 1;
    add('csv', 'csv-invalid-utf8', `${what} at byte ${at}`, { 'data.csv': cat(csv.subarray(0, at), Uint8Array.from(bytes), csv.subarray(at)) });
  }
  add('csv', 'csv-invalid-utf8', 'a 4-byte character cut off at the end', { 'data.csv': cat(csv, new Uint8Array([0xf0, 0x9f, 0x98])) });
  add('csv', 'csv-invalid-utf8', 'UTF-16 with a byte-order mark', { 'data.csv': cat(new Uint8Array([0xff, 0xfe]), Uint8Array.from([...'a,b\n1,2\n'].flatMap((c) => [c.charCodeAt(0), 0]))) });
  add('csv', 'csv-invalid-utf8', 'random high bytes', { 'data.csv': Uint8Array.from({ length: 2048 }, () => 128 + randomInt(rng, 128)) });
  add('csv', 'csv-empty', 'an empty file', { 'data.csv': '' });
  add('csv', 'csv-empty', 'only a byte-order mark', { 'data.csv': new Uint8Array([0xef, 0xbb, 0xbf]) });
  add('csv', 'csv-empty', 'only blank lines', { 'data.csv': '\n\r\n\n   \n' });
  add('csv', 'csv-line-too-long', 'a 2 MB line', { 'data.csv': `a,b\n1,${'x'.repeat(2 << 20)}\n` });
  add('csv', 'csv-line-too-long', 'a 2 MB header with no line break', { 'data.csv': 'h,'.repeat(1 << 20) });
  add('csv', 'csv-line-too-long', 'a quote opened on line 2 that runs 2 MB', { 'data.csv': `a,b\n"1,${'y,\n'.repeat(700_000)}` });
  add('csv', 'csv-bad-row', 'a quote opened on the last line', { 'data.csv': 'a,b\n1,2\n"3,4\n5,6\n' });
  add('csv', 'csv-binary', 'a NUL on line 2', { 'data.csv': new Uint8Array([0x61, 0x0a, 0x00, 0x0a]) });
  add('csv', 'csv-invalid-utf8', 'a PNG renamed .csv', { 'data.csv': src('public/datasets/shapes-sample/heart/heart-000.png') });

  // ------------------------------------------------ JSONL / text (language-model datasets)
  const jsonl = text('public/datasets/chat-sample.jsonl');
  const jl = jsonl.split('\n').filter((l) => l.trim() !== '');
  const withJl = (i: number, line: string) => jl.map((l, k) => (k === i ? line : l)).join('\n');
  const jlLine = () => between(1, jl.length);
  for (let i = 0; i < 8; i++) {
    const k = jlLine();
    add('jsonl', 'lm-bad-line', `line ${k + 1} cut short`, { 'chat.jsonl': withJl(k, jl[k]!.slice(0, between(1, jl[k]!.length - 1))) });
  }
  const lineCases: [string, string][] = [
    ['an array line', '[1,2,3]'],
    ['a number line', '42'],
    ['a string line', '"hello"'],
    ['content a number', '{"messages":[{"role":"user","content":5}]}'],
    ['role hacker', '{"messages":[{"role":"hacker","content":"hi"},{"role":"assistant","content":"x"}]}'],
    ['messages empty', '{"messages":[]}'],
    ['messages a string', '{"messages":"hi"}'],
    ['weight 2', '{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b","weight":2}]}'],
    ['messages nested 100,000 deep', `{"messages":${deep(100_000)}}`],
    ['role nested deep', `{"messages":[{"role":${deep(50_000)},"content":"x"}]}`],
    ['messages only under __proto__', '{"__proto__":{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}}'],
    ['a trailing comma', '{"messages":[{"role":"user","content":"a"},],}'],
    ['single quotes', "{'messages':[]}"],
    ['NaN', '{"messages":NaN}'],
    ['a lone surrogate escape in a role', '{"messages":[{"role":"\\ud800","content":"a"}]}'],
  ];
  for (const [what, line] of lineCases) add('jsonl', 'lm-bad-line', what, { 'chat.jsonl': withJl(jlLine(), line) });
  add('jsonl', 'lm-mixed-formats', 'a text line among chat lines', { 'chat.jsonl': withJl(jlLine(), '{"text":"hello"}') });
  add('jsonl', 'lm-json-array', 'a JSON array file', { 'chat.jsonl': `[${jl.join(',')}]` });
  add('jsonl', 'lm-empty', 'an empty file', { 'chat.jsonl': '' });
  add('jsonl', 'lm-empty', 'whitespace only', { 'chat.jsonl': ' \n\t\n\r\n' });
  add('jsonl', 'lm-line-too-long', 'a 50 MB single line', { 'chat.jsonl': `${jl[0]}\n{"text":"${'a'.repeat(50 << 20)}"}\n` });
  add('jsonl', 'lm-line-too-long', 'a 5 MB line with no line break', { 'chat.jsonl': `{"messages":[{"role":"user","content":"${'b'.repeat(5 << 20)}` });
  const jlBytes = enc.encode(jsonl);
  for (const [what, bytes] of badUtf8) {
    const at = jsonl.indexOf('"content":"', between(0, jsonl.length - 200)) + 11;
    add('jsonl', 'lm-invalid-utf8', `${what} at byte ${at}`, { 'chat.jsonl': cat(jlBytes.subarray(0, at), Uint8Array.from(bytes), jlBytes.subarray(at)) });
  }
  add('jsonl', 'lm-invalid-utf8', 'Latin-1 text file', { 'notes.txt': Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x61, 0x75, 0x0a]) });
  add('jsonl', 'lm-invalid-utf8', 'random high bytes as .txt', { 'notes.txt': Uint8Array.from({ length: 1024 }, () => 128 + randomInt(rng, 128)) });

  // ------------------------------------------------ PNG (Node decoder)
  const png = src('public/datasets/shapes-sample/heart/heart-000.png');
  for (let i = 0; i < 12; i++) {
    const cut = i < 3 ? [0, 8, 20][i]! : between(33, png.length - 12);
    add('png', 'image-corrupt', `truncated at byte ${cut} of ${png.length}`, { 'image.png': png.slice(0, cut) });
  }
  const huge: [number, number][] = [[100_000, 100_000], [0xffffffff, 0xffffffff], [0x7fffffff, 2], [9_487, 9_487], [90_000_001, 1], [1, 2_000_000_000], [30_000, 30_000], [65_535, 65_535]];
  for (const [w, h] of huge) add('png', 'image-too-large', `IHDR declares ${w} x ${h}`, { 'image.png': pngWithSize(png, w, h) });
  add('png', 'image-corrupt', 'IHDR declares 0 x 64', { 'image.png': pngWithSize(png, 0, 64) });
  add('png', 'image-corrupt', 'IHDR declares 64 x 0', { 'image.png': pngWithSize(png, 64, 0) });
  for (let i = 0; i < 6; i++) {
    const out = png.slice();
    const at = i % 2 === 0 ? between(8, 16) : between(24, 33); // not the size bytes 16-23
    out[at] = out[at]! ^ 0xff;
    add('png', 'image-corrupt', `header byte ${at} flipped (CRC now wrong)`, { 'image.png': out });
  }
  add('png', 'image-corrupt', 'a JPEG header', { 'image.png': new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]) });
  add('png', 'image-corrupt', 'random bytes', { 'image.png': Uint8Array.from({ length: 1024 }, () => randomInt(rng, 256)) });
  add('png', 'image-corrupt', 'an empty file', { 'image.png': new Uint8Array(0) });
  add('png', 'image-corrupt', 'a PNG signature only', { 'image.png': png.slice(0, 8) });

  // ------------------------------------------------ browser decoder headers (JPEG, GIF, WebP, BMP, PNG)
  const jpeg = (w: number, h: number, exif = 0): Uint8Array => {
    const app1 = exif > 0 ? cat(new Uint8Array([0xff, 0xe1, (exif + 2) >> 8, (exif + 2) & 0xff]), new Uint8Array(exif)) : new Uint8Array(0);
    return cat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]), app1, new Uint8Array([0xff, 0xc0, 0, 17, 8, h >> 8, h & 0xff, w >> 8, w & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]), new Uint8Array([0xff, 0xd9]));
  };
  const gif = (w: number, h: number) => cat(enc.encode('GIF89a'), new Uint8Array([w & 0xff, w >> 8, h & 0xff, h >> 8, 0, 0, 0]), new Uint8Array([0x3b]));
  const riff = (chunk: string, body: Uint8Array) => cat(enc.encode('RIFF'), new Uint8Array([0, 1, 0, 0]), enc.encode('WEBP'), enc.encode(chunk), new Uint8Array([body.length, 0, 0, 0]), body);
  const vp8x = (w: number, h: number) => riff('VP8X', new Uint8Array([0, 0, 0, 0, (w - 1) & 0xff, ((w - 1) >> 8) & 0xff, (w - 1) >> 16, (h - 1) & 0xff, ((h - 1) >> 8) & 0xff, (h - 1) >> 16]));
  const vp8l = (w: number, h: number) => {
    const bits = ((w - 1) & 0x3fff) | (((h - 1) & 0x3fff) << 14);
    return riff('VP8L', new Uint8Array([0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff]));
  };
  const vp8 = (w: number, h: number) => riff('VP8 ', new Uint8Array([0, 0, 0, 0x9d, 0x01, 0x2a, w & 0xff, (w >> 8) & 0x3f, h & 0xff, (h >> 8) & 0x3f]));
  const bmp = (w: number, h: number) => {
    const b = new Uint8Array(54);
    const v = new DataView(b.buffer);
    b.set([0x42, 0x4d]);
    v.setUint32(14, 40, true);
    v.setInt32(18, w, true);
    v.setInt32(22, h, true);
    return b;
  };
  const browser: [string, Uint8Array, string][] = [
    ['JPEG 65535 x 65535', jpeg(65535, 65535), 'image-too-large'],
    ['JPEG 20000 x 5000 after a 60 KB EXIF block', jpeg(20000, 5000, 60_000), 'image-too-large'],
    ['GIF 65535 x 65535', gif(65535, 65535), 'image-too-large'],
    ['GIF 10000 x 10000', gif(10000, 10000), 'image-too-large'],
    ['WebP VP8X 16384 x 16384', vp8x(16384, 16384), 'image-too-large'],
    ['WebP VP8X 2^24 x 2^24', vp8x(1 << 24, 1 << 24), 'image-too-large'],
    ['WebP VP8L 16384 x 16384', vp8l(16384, 16384), 'image-too-large'],
    ['WebP VP8 16383 x 16383', vp8(16383, 16383), 'image-too-large'],
    ['BMP 100000 x 100000', bmp(100_000, 100_000), 'image-too-large'],
    ['BMP 30000 x -30000 (top-down)', bmp(30_000, -30_000), 'image-too-large'],
    ['PNG 2^31 x 2^31', pngWithSize(png, 0x80000000, 0x80000000), 'image-too-large'],
    ['PNG 10000 x 10000', pngWithSize(png, 10_000, 10_000), 'image-too-large'],
  ];
  for (const [what, bytes, expected] of browser) add('image-browser', expected, what, { image: bytes });

  // ------------------------------------------------ bundle zips
  const manifest = JSON.stringify({ task: 'classification', classes: ['a', 'b'], baseModel: { name: 'Shapes CNN', featureLayer: 'embedding', featureSize: 64 }, plan: { trained: ['head'] } });
  const head = writeSafetensors({ 'head.bias': { dtype: 'F32', shape: [2], data: new Float32Array(2) }, 'head.weight': { dtype: 'F32', shape: [2, 64], data: new Float32Array(128) } });
  const goodEntries: ZipEntry[] = [
    { name: 'tabtune.json', data: enc.encode(manifest) },
    { name: 'head.safetensors', data: head },
  ];
  const good = zipBytes(goodEntries);
  const ZI = 'bundle-invalid';
  const zip = (what: string, expected: string, bytes: Uint8Array) => add('zip', expected, what, { 'run.zip': bytes });
  for (let i = 0; i < 10; i++) zip('truncated', ZI, good.slice(0, between(0, good.length - 1)));
  const cdStart = good.length - 22 - goodEntries.reduce((n, e) => n + 46 + e.name.length, 0);
  for (const [what, at] of [['first local header signature', 0], ['central directory signature', cdStart], ['second central entry signature', cdStart + 46 + goodEntries[0]!.name.length]] as [string, number][]) {
    const out = good.slice();
    out[at] = 0x00;
    zip(`${what} damaged`, ZI, out);
  }
  {
    const out = good.slice();
    new DataView(out.buffer).setUint32(out.length - 6, good.length + 100, true);
    zip('central directory offset past the end', ZI, out);
  }
  {
    const out = good.slice();
    const body = goodEntries[0]!.name.length + 30;
    for (let k = 0; k < 8; k++) out[body + k] = 0xff;
    zip('compressed data of tabtune.json overwritten', ZI, out);
  }
  for (const name of ['../tabtune.json', '../../../../etc/passwd', '/etc/passwd', 'adapter/../../x', 'C:\\Windows\\evil.dll', 'a\\..\\b', './tabtune.json', 'dir//x']) {
    zip(`entry named ${name}`, 'zip-unsafe-path', zipBytes([...goodEntries, { name, data: enc.encode('x') }]));
  }
  zip('honest bomb: 2 GiB of zeros declared (8 MB compressed)', 'zip-too-large', zipBytes([...goodEntries, { name: 'bomb.bin', data: new Uint8Array(0), raw: zeroBomb(2 ** 31 - 1), declaredSize: 2 ** 31 - 1 }]));
  zip('lying bomb: declares 1 KB, inflates to 200 MB', 'zip-too-large', zipBytes([...goodEntries, { name: 'bomb.bin', data: new Uint8Array(0), raw: zeroBomb(200 << 20), declaredSize: 1024 }]));
  zip('lying bomb: tabtune.json declares 10 bytes', 'zip-too-large', zipBytes([{ name: 'tabtune.json', data: new Uint8Array(0), raw: zeroBomb(50 << 20), declaredSize: 10 }, goodEntries[1]!]));
  zip('overlapping entries: 20 names for one 100 MB entry', 'zip-too-large', (() => {
    const bomb = zeroBomb(100 << 20);
    return zipBytes([...goodEntries, ...Array.from({ length: 20 }, (_, k) => ({ name: `copy${k}.bin`, data: new Uint8Array(0), raw: bomb, declaredSize: 100 << 20 }))]);
  })());
  zip('10,001 empty entries', 'zip-too-large', zipBytes([...goodEntries, ...Array.from({ length: 10_001 }, (_, k) => ({ name: `e${k}`, data: new Uint8Array(0), store: true }))]));
  zip('entry count says 65535', ZI, zipBytes(goodEntries, { cdCount: 0xffff }));
  zip('zip64 size markers', ZI, zipBytes(goodEntries, { zip64Marker: true }));
  zip('an encrypted entry', ZI, zipBytes([goodEntries[0]!, { ...goodEntries[1]!, flags: 1 }]));
  zip('bzip2 compression', ZI, zipBytes([goodEntries[0]!, { ...goodEntries[1]!, method: 12 }]));
  zip('stored entry with wrong size', ZI, zipBytes([{ name: 'tabtune.json', data: enc.encode(manifest), store: true, declaredSize: 5 }, goodEntries[1]!]));
  zip('a PNG renamed .zip', ZI, png);
  zip('an empty file', ZI, new Uint8Array(0));
  zip('no tabtune.json', ZI, zipBytes([goodEntries[1]!]));
  const manifestCases: [string, string][] = [
    ['tabtune.json not JSON', '{"classes": ['],
    ['tabtune.json null', 'null'],
    ['tabtune.json classes a string', manifest.replace('["a","b"]', '"a,b"')],
    ['tabtune.json classes nested deep', manifest.replace('["a","b"]', deep(100_000, '"a"'))],
    ['tabtune.json classes only under __proto__', manifest.replace('"classes":["a","b"],', '"__proto__":{"classes":["a","b"]},')],
    ['tabtune.json plan.trained a string', manifest.replace('"trained":["head"]', '"trained":"conv1"')],
    ['tabtune.json for another base model', manifest.replace('"featureSize":64', '"featureSize":1e400')],
  ];
  for (const [what, m] of manifestCases) zip(what, ZI, zipBytes([{ name: 'tabtune.json', data: enc.encode(m) }, goodEntries[1]!]));
  for (let i = 0; i < 3; i++) zip('head.safetensors truncated', ST, zipBytes([goodEntries[0]!, { name: 'head.safetensors', data: head.slice(0, between(0, head.length - 1)) }]));
  zip('head.safetensors of the wrong shape', ZI, zipBytes([goodEntries[0]!, { name: 'head.safetensors', data: writeSafetensors({ 'head.bias': { dtype: 'F32', shape: [3], data: new Float32Array(3) }, 'head.weight': { dtype: 'F32', shape: [3, 64], data: new Float32Array(192) } }) }]));

  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify({ seed, cases }, null, 1)}\n`);
  return cases;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = resolve(process.argv.find((a) => a.startsWith('--out='))?.slice(6) ?? join(ROOT, 'test-results/hostile-corpus'));
  const seedArg = process.argv.find((a) => a.startsWith('--seed='));
  const cases = makeHostileCorpus(out, seedArg ? Number(seedArg.slice(7)) : undefined);
  const per = new Map<string, number>();
  for (const c of cases) per.set(c.parser, (per.get(c.parser) ?? 0) + 1);
  console.log(`${cases.length} hostile files in ${out}: ${[...per].map(([p, n]) => `${p} ${n}`).join(', ')}`);
}
