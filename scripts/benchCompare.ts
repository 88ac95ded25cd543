/**
 * The side-by-side part of `npm run bench`: the same LoRA step (a preset's shapes, LoRA r=8 on its
 * targets, batch x seq tokens) in this engine on WASM, with 1 thread and with every core, and in
 * PyTorch + PEFT on the CPU with 1 thread and with every core, each in a process of its own
 * (scripts/benchLmStep.ts, scripts/benchTorch.py), so peak memory is each one's own peak RSS.
 * PyTorch runs where `$PYTHON` (default python3) imports torch, transformers and peft; otherwise its
 * rows say why they were skipped.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { median, PRESETS } from './benchModels.ts';
import type { LmStepOptions } from './lmStepTiming.ts';

/** The step's options (scripts/lmStepTiming.ts: preset, shape, steps, the WebGPU side's storage and loss) and how to run both sides. */
export interface CompareOptions extends Omit<LmStepOptions, 'recompute'> {
  /** WASM on 1 thread and on every core; PyTorch likewise. */
  threads: number[];
  /**
   * WASM processes per thread count (default 1), their order turned round each time (1, 2 / 2, 1 / ...),
   * each one's steps pooled: a shared machine's speed drifts between minutes, and alternating spreads
   * the drift over both sides of the thread ratio.
   */
  rounds?: number;
  /** 'cpu' (WASM vs PyTorch on the CPU) or 'gpu' (WebGPU vs PyTorch on CUDA). */
  device: 'cpu' | 'gpu';
  /** How to run the engine's side: ['npx', 'tsx', 'scripts/benchLmStep.ts'] or the bundled ['node', 'benchLmStep.mjs']. */
  engineCommand?: string[];
  python?: string;
  /** Where benchTorch.py is (default scripts/benchTorch.py). */
  torchScript?: string;
  /** PyTorch's device on the 'gpu' comparison: cuda, or cpu to try the path without a GPU. */
  torchDevice?: string;
}

export interface CompareRow {
  engine: string;
  threads?: number;
  /** Why the engine runs fewer WASM threads than asked (BackendReport.threadsNote). */
  threadsNote?: string;
  stepMs?: number;
  tokensPerSecond?: number;
  peakRssBytes?: number;
  gpuBytes?: number;
  peakDeviceBytes?: number;
  float32WeightBytes?: number;
  /** The memory estimate shown before a run (hfMemory.ts), and the WASM heap the step grew to. */
  estimatedBytes?: number;
  wasmHeapBytes?: number;
  /**
   * The share of the machine's CPU time its host took back (Linux /proc/stat's steal) while the
   * process ran; the largest over the rounds. On a shared VM, two threads lose most when it is high.
   */
  stealShare?: number;
  roundSteal?: number[];
  /** Every timed step (pooled over the rounds); stepMs is their median. */
  stepsMs?: number[];
  /** Each round's median step, in round order (rounds > 1). */
  roundMs?: number[];
  skipped?: string;
}

/** One row from a thread count's rounds: the steps pooled, the peak memory the largest. */
export function pooled(runs: CompareRow[], tokensPerStep: number): CompareRow {
  const ok = runs.filter((r) => !r.skipped && r.stepsMs?.length);
  if (ok.length === 0) return runs[0]!;
  const steps = ok.flatMap((r) => r.stepsMs!);
  const stepMs = median(steps);
  const most = (k: 'peakRssBytes' | 'wasmHeapBytes'): number | undefined => Math.max(...ok.map((r) => r[k] ?? 0)) || undefined;
  const steal = ok.map((r) => r.stealShare).filter((x): x is number => x !== undefined);
  const stealShare = steal.length ? Math.max(...steal) : undefined;
  return {
    ...ok[0]!,
    stepsMs: steps,
    stepMs,
    tokensPerSecond: (tokensPerStep * 1000) / stepMs,
    peakRssBytes: most('peakRssBytes'),
    wasmHeapBytes: most('wasmHeapBytes'),
    stealShare,
    ...(ok.length > 1 ? { roundMs: ok.map((r) => r.stepMs!), roundSteal: ok.map((r) => r.stealShare ?? Number.NaN) } : {}),
  };
}

/** All CPUs' [steal, total] ticks from /proc/stat's text (its first line: user nice system idle iowait irq softirq steal ...). */
export function stealTicks(procStat: string): [number, number] | undefined {
  const fields = (procStat.split('\n')[0] ?? '').trim().split(/\s+/);
  if (fields[0] !== 'cpu' || fields.length < 9) return undefined;
  const ticks = fields.slice(1, 9).map(Number);
  return ticks.every(Number.isFinite) ? [ticks[7]!, ticks.reduce((a, b) => a + b, 0)] : undefined;
}

/** undefined where there is no /proc/stat (not Linux). */
export function cpuTicks(): [number, number] | undefined {
  try {
    return stealTicks(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The share of CPU time the host took back between two cpuTicks() readings. */
export function stealBetween(before: [number, number] | undefined, after: [number, number] | undefined): number | undefined {
  return before && after && after[1] > before[1] ? (after[0] - before[0]) / (after[1] - before[1]) : undefined;
}

/** Runs a command that prints a JSON row last, with the host's steal while it ran. */
export function runJson(cmd: string[], label: string): CompareRow {
  const before = cpuTicks();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', maxBuffer: 1 << 24 });
  const stealShare = stealBetween(before, cpuTicks());
  const line = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (r.error) return { engine: label, skipped: `${cmd[0]} could not start (${r.error.message})` };
  if (!line) return { engine: label, skipped: `exited ${r.status} without a result: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')}` };
  const parsed = JSON.parse(line) as CompareRow & { skipped?: string };
  return { ...parsed, engine: parsed.skipped ? label : parsed.engine, stealShare };
}

export function compareLoraStep(o: CompareOptions): CompareRow[] {
  const preset = PRESETS[o.preset];
  if (!preset) throw new Error(`unknown preset ${o.preset}`);
  const layers = o.layers ?? preset.layers;
  const common = ['--batch', String(o.batch), '--seq', String(o.seq), '--steps', String(o.steps), '--warmup', String(o.warmup)];
  const engine = o.engineCommand ?? ['npx', 'tsx', 'scripts/benchLmStep.ts'];
  const python = o.python ?? process.env.PYTHON ?? 'python3';
  const pyScript = o.torchScript ?? 'scripts/benchTorch.py';
  const torchArgs = ['--arch', preset.arch, '--layers', String(layers), '--hidden', String(preset.hidden), '--heads', String(preset.heads), '--kv-heads', String(preset.kvHeads), '--intermediate', String(preset.intermediate), '--vocab', String(preset.vocab), '--targets', preset.targets.join(','), ...(preset.tie ? ['--tie'] : []), ...common];
  const rows: CompareRow[] = [];
  if (o.device === 'gpu') {
    const storage = [...(o.weightStorage ? ['--weight-storage', o.weightStorage] : []), ...(o.loss ? ['--loss', o.loss] : [])];
    rows.push(runJson([...engine, '--preset', o.preset, '--layers', String(layers), '--backend', 'webgpu', ...storage, ...common], 'tabtune webgpu'));
    const device = o.torchDevice ?? 'cuda';
    rows.push(runJson([python, pyScript, ...torchArgs, '--device', device], `pytorch ${device}`));
    return rows;
  }
  const wasmArgs = (t: number): string[] => [...engine, '--preset', o.preset, '--layers', String(layers), '--backend', 'wasm', '--threads', String(t)];
  // The engine reports the threads it really gets (its threaded start may fall back to 1, with the
  // reason); a step that would not run on the threads asked for is not measured at all.
  const runnable: number[] = [];
  const refused = new Map<number, CompareRow>();
  for (const t of o.threads) {
    const probe = t > 1 ? runJson([...wasmArgs(t), '--threads-only'], 'tabtune wasm') : undefined;
    if (probe?.threads !== undefined && probe.threads !== t) refused.set(t, { engine: probe.engine, threads: t, skipped: `asked for ${t} threads, the engine runs ${probe.threads}${probe.threadsNote ? `: ${probe.threadsNote}` : ''}` });
    else runnable.push(t);
  }
  const runs = new Map<number, CompareRow[]>(runnable.map((t) => [t, []]));
  for (let round = 0; round < (o.rounds ?? 1); round++) {
    for (const t of round % 2 ? [...runnable].reverse() : runnable) runs.get(t)!.push(runJson([...wasmArgs(t), ...common], `tabtune wasm ${t} thread(s)`));
  }
  for (const t of o.threads) rows.push(refused.get(t) ?? pooled(runs.get(t)!, o.batch * o.seq));
  for (const t of o.threads) rows.push(runJson([python, pyScript, ...torchArgs, '--threads', String(t)], `pytorch ${t} thread(s)`));
  return rows;
}

const pct = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`);
const mib = (b: number | undefined): string => (b === undefined ? '-' : `${(b / (1 << 20)).toFixed(0)} MiB`);

/** The rows as a Markdown table: the step, its tokens/s, peak memory and the host's steal. */
export function compareTable(rows: CompareRow[]): string[] {
  const lines = ['| engine | threads | ms/step | tokens/s | peak RSS | GPU bytes | WASM heap | host steal |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    if (r.skipped) lines.push(`| ${r.engine} | ${r.threads ?? '-'} | skipped: ${r.skipped} | | | | | |`);
    else lines.push(`| ${r.engine} | ${r.threads ?? '-'} | ${r.stepMs!.toFixed(0)} | ${r.tokensPerSecond!.toFixed(1)} | ${mib(r.peakRssBytes)} | ${mib(r.gpuBytes ?? r.peakDeviceBytes)} | ${mib(r.wasmHeapBytes)} | ${pct(r.stealShare)} |`);
  }
  return lines;
}

/** The table and the ratios that the issue's targets are about. */
export function compareReport(rows: CompareRow[], o: CompareOptions): string {
  const rounds = (o.rounds ?? 1) > 1 && o.device === 'cpu' ? ` (WASM: ${o.rounds} alternating rounds, steps pooled)` : '';
  const lines = [`LoRA step side by side: ${o.preset}${o.layers ? ` (${o.layers} layers)` : ''}, batch ${o.batch} x ${o.seq}, median of ${o.steps} steps${rounds} (${cpus().length} cores)`, '', ...compareTable(rows)];
  const ok = rows.filter((r) => !r.skipped);
  const find = (engine: string, threads?: number): CompareRow | undefined => ok.find((r) => r.engine.startsWith(engine) && (threads === undefined || r.threads === threads));
  const ratio = (label: string, a: number | undefined, b: number | undefined, target: string): void => {
    lines.push(`${label}: ${a !== undefined && b !== undefined ? (a / b).toFixed(2) : 'n/a (a side was skipped)'} (target ${target})`);
  };
  lines.push('');
  if (o.device === 'cpu') {
    const w1 = find('tabtune wasm', 1);
    const wn = ok.find((r) => r.engine.startsWith('tabtune wasm') && (r.threads ?? 1) > 1);
    const p1 = find('pytorch', 1);
    const pn = ok.find((r) => r.engine.startsWith('pytorch') && (r.threads ?? 1) > 1);
    ratio('WASM 1 thread / PyTorch 1 thread, tokens/s', w1?.tokensPerSecond, p1?.tokensPerSecond, '>= 0.5');
    ratio('WASM peak RSS / PyTorch peak RSS (1 thread)', w1?.peakRssBytes, p1?.peakRssBytes, '<= 1.5');
    ratio('WASM all threads / WASM 1 thread, tokens/s', wn?.tokensPerSecond, w1?.tokensPerSecond, '>= 1.6 on 2 cores');
    if (w1?.roundMs && wn?.roundMs) {
      const steal = (i: number): string => (wn.roundSteal ? ` (steal ${pct(w1.roundSteal?.[i])} / ${pct(wn.roundSteal[i])})` : '');
      lines.push(`  per round (host steal, 1 / all threads): ${w1.roundMs.map((ms, i) => `${(ms / wn.roundMs![i]!).toFixed(2)}${steal(i)}`).join(', ')}`);
    }
    // The heap only grows (by up to 20% past what is asked), so its final size is the peak to one growth step.
    ratio('memory estimate / measured WASM heap (1 thread)', w1?.estimatedBytes, w1?.wasmHeapBytes, '0.75 to 1.25');
    ratio('WASM all threads / PyTorch all threads, tokens/s', wn?.tokensPerSecond, pn?.tokensPerSecond, 'none');
  } else {
    const g = find('tabtune webgpu');
    const t = find('pytorch');
    ratio(`WebGPU / PyTorch ${o.torchDevice ?? 'cuda'}, tokens/s`, g?.tokensPerSecond, t?.tokensPerSecond, 'none yet');
    ratio('WebGPU bytes held / float32 weights', g?.gpuBytes, g?.float32WeightBytes, '<= 0.6 with float16 storage');
  }
  return lines.join('\n');
}
