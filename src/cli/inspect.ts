/** `tabtune inspect <path>`: a model, an image-folder dataset or a CSV, in words or as JSON. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_SPLIT, type DatasetSummary, type ModelSummary } from '../api.ts';
import { loadTabularCsv, type TabularDatasetSummary } from '../data/csv/index.ts';
import { importImageDataset } from '../data/imageDataset.ts';
import { EngineError } from '../errors.ts';
import { backendOf, BACKEND_OPTION, num, parse, str, UsageError } from './args.ts';
import { decodeImageNode, readDatasetFolder, startEngine } from './nodeEngine.ts';
import { modelUrl } from './nodePlatform.ts';
import type { Io } from './main.ts';

export const INSPECT_USAGE = `tabtune inspect <model folder | model.json | URL | image folder | file.csv> [--json] [--label COLUMN] [--size N] [--backend auto|webgpu|wasm|cpu] [--threads N]`;

type Kind = 'model' | 'images' | 'csv';

export function kindOf(path: string): Kind {
  if (/^(https?|file):/i.test(path)) return 'model';
  const abs = resolve(path);
  if (!existsSync(abs)) throw new EngineError('not-found', `${path}: no such file or folder.`);
  if (statSync(abs).isDirectory()) return existsSync(join(abs, 'model.json')) ? 'model' : 'images';
  if (/\.json$/i.test(abs)) return 'model';
  if (/\.(csv|tsv|txt)$/i.test(abs)) return 'csv';
  throw new EngineError('unsupported-input', `${path}: not a model (folder or model.json), an image folder or a .csv file.`);
}

export async function inspect(args: string[], io: Io): Promise<number> {
  const p = parse(args, { json: { type: 'boolean' }, label: { type: 'string' }, size: { type: 'string' }, ...BACKEND_OPTION });
  const target = p.positionals[0];
  if (!target || p.positionals.length > 1) throw new UsageError(`usage: ${INSPECT_USAGE}`);
  const json = p.values.json === true;
  const kind = kindOf(target);
  if (kind === 'model') {
    const url = modelUrl(target);
    const { engine, report } = await startEngine(backendOf(p));
    try {
      const summary = await engine.loadModel(url);
      io.out(json ? JSON.stringify({ kind, url, backend: report.name, model: summary }, null, 2) : formatModel(summary, url));
    } finally {
      engine.dispose();
    }
  } else if (kind === 'images') {
    const size = num(p, 'size', 'positive-int') ?? 32;
    const files = readDatasetFolder(target);
    const dataset = await importImageDataset(basename(resolve(target)), files, DEFAULT_SPLIT, [size, size, 3], decodeImageNode);
    io.out(json ? JSON.stringify({ kind, files: files.length, dataset: dataset.summary }, null, 2) : formatImages(dataset.summary, files.length));
  } else {
    const abs = resolve(target);
    const label = str(p, 'label');
    const dataset = await loadTabularCsv(new Uint8Array(readFileSync(abs)), {
      name: basename(abs).replace(/\.[^.]+$/, ''),
      ...(label === undefined ? {} : { labelColumn: label }),
    });
    io.out(json ? JSON.stringify({ kind, dataset: dataset.summary }, null, 2) : formatCsv(dataset.summary));
  }
  return 0;
}

const n = (x: number): string => x.toLocaleString('en-US');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export function formatModel(m: ModelSummary, url: string): string {
  const rows = [['layer', 'type', 'output shape', 'params', 'LoRA']];
  for (const l of m.layers) rows.push([l.name, l.className, `[${l.outputShape.join(', ')}]`, n(l.params), l.loraSupported ? 'yes' : '-']);
  const lora = m.layers.filter((l) => l.loraSupported).map((l) => l.name);
  return [
    `model ${m.name}  (${url})`,
    ...(m.description ? [`  ${m.description}`] : []),
    `input [${m.inputShape.join(', ')}]  features: ${m.featureLayer} (${m.featureSize})`,
    '',
    table(rows),
    '',
    `${m.layers.length} layers up to the feature layer, ${n(m.totalParams)} parameters; LoRA-capable: ${lora.join(', ') || 'none'}`,
  ].join('\n');
}

export function formatImages(d: DatasetSummary, files: number): string {
  const rows = [['class', 'images', 'train', 'validation']];
  for (const c of d.classes) rows.push([c.name, String(c.count), String(c.train), String(c.validation)]);
  const lines = [`image folder ${d.name}: ${d.total} usable images of ${files} files, ${d.classes.length} classes`, '', table(rows)];
  if (d.issues.length > 0) lines.push('', `${d.issues.length} issue(s):`, ...d.issues.map((i) => `  [${i.kind}] ${i.message}`));
  else lines.push('', 'no issues');
  return lines.join('\n');
}

export function formatCsv(d: TabularDatasetSummary): string {
  const rows = [['column', 'type', 'role', 'distinct', 'missing', 'range']];
  for (const c of d.columns) {
    const range = c.min === null ? '' : `${c.min} .. ${c.max} (mean ${c.mean?.toPrecision(4)})`;
    rows.push([c.name, c.type, c.role, String(c.distinct), String(c.missing), range]);
  }
  const lines = [
    `CSV ${d.name}: ${d.rowsInFile} data rows, ${d.total} usable, ${d.skippedRows} skipped; ${d.columns.length} columns, ${d.featureCount} features`,
    `label "${d.labelColumn}": ${d.task}; split ${d.train} train / ${d.validation} validation`,
    '',
    table(rows),
  ];
  if (d.task === 'classification') lines.push('', `classes: ${d.classes.map((c) => `${c.name} (${c.count})`).join(', ')}`);
  else if (d.target) lines.push('', `target: ${d.target.min} .. ${d.target.max}, mean ${d.target.mean.toPrecision(4)}, std ${d.target.std.toPrecision(4)}`);
  if (d.issues.length > 0) lines.push('', `${d.issues.length} issue(s):`, ...d.issues.map((i) => `  [${i.kind}] ${i.line !== null && !/^line /i.test(i.message) ? `line ${i.line}: ` : ''}${i.message}`));
  else lines.push('', 'no issues');
  return lines.join('\n');
}
