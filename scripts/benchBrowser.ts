/**
 * `npm run bench -- --scenarios browser`: the LoRA step of scripts/benchLmStep.ts timed inside
 * Chromium, on the studio's own WASM set-up (a module worker, the threaded SIMD build on a page served
 * cross-origin isolated, our GEMM's helpers as workers), beside the same step in Node, at 1 thread and
 * at every core. The page (scripts/browserBench/) is built by Vite with the studio's config and served
 * by `vite preview` with its headers; Chromium is Debian's (CHROMIUM_PATH), launched as the
 * Playwright suite launches it. Each run is a fresh page: a fresh worker and WASM heap.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';
import { build, preview } from 'vite';
import playwrightConfig from '../playwright.config.ts';
import { compareTable, cpuTicks, pooled, runJson, stealBetween, type CompareOptions, type CompareRow } from './benchCompare.ts';
import type { LmStepResult } from './lmStepTiming.ts';

const OUT_DIR = 'bench-results/browser-bench';
const PAGE = 'scripts/browserBench/index.html';
/** A SmolLM2-135M-shaped run takes about a minute on one thread here; ten leaves room for slow machines. */
const RUN_TIMEOUT_MS = 600_000;

async function timeInPage(browser: Browser, url: string, label: string): Promise<CompareRow> {
  const page = await browser.newPage();
  const before = cpuTicks();
  try {
    await page.goto(url);
    const result = page.locator('#result:not([data-state="running"])');
    await result.waitFor({ timeout: RUN_TIMEOUT_MS });
    const parsed = JSON.parse((await result.textContent()) ?? '{}') as Partial<LmStepResult> & { error?: string };
    if (parsed.error) return { engine: label, skipped: parsed.error.split('\n')[0]! };
    return { ...(parsed as LmStepResult), engine: label, stealShare: stealBetween(before, cpuTicks()) };
  } catch (error) {
    return { engine: label, skipped: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  } finally {
    await page.close();
  }
}

/**
 * Rows: Chromium at each thread count, then Node at each, every run in `o.rounds` alternating rounds
 * (the order turned round each time, so a shared machine's drift falls on both sides), steps pooled.
 */
export async function browserLoraStep(o: CompareOptions): Promise<CompareRow[]> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) return [{ engine: 'tabtune wasm in Chromium', skipped: `no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH` }];
  await build({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir: OUT_DIR, emptyOutDir: true, rollupOptions: { input: PAGE } } });
  const server = await preview({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir: OUT_DIR }, preview: { port: 0, strictPort: false } });
  const browser = await chromium.launch({ executablePath, args: playwrightConfig.use?.launchOptions?.args ?? [] });
  try {
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('vite preview gave no local URL');
    const version = browser.version();
    const query = (t: number): string => new URLSearchParams({ preset: o.preset, ...(o.layers ? { layers: String(o.layers) } : {}), batch: String(o.batch), seq: String(o.seq), steps: String(o.steps), warmup: String(o.warmup), threads: String(t) }).toString();
    const nodeArgs = (t: number): string[] => ['npx', 'tsx', 'scripts/benchLmStep.ts', '--preset', o.preset, ...(o.layers ? ['--layers', String(o.layers)] : []), '--backend', 'wasm', '--threads', String(t), '--batch', String(o.batch), '--seq', String(o.seq), '--steps', String(o.steps), '--warmup', String(o.warmup)];
    const runs = { browser: new Map<number, CompareRow[]>(), node: new Map<number, CompareRow[]>() };
    for (const t of o.threads) {
      runs.browser.set(t, []);
      runs.node.set(t, []);
    }
    for (let round = 0; round < (o.rounds ?? 1); round++) {
      const order = round % 2 ? [...o.threads].reverse() : o.threads;
      for (const t of order) runs.browser.get(t)!.push(await timeInPage(browser, `${base}${PAGE}?${query(t)}`, `tabtune wasm in Chromium ${version}`));
      for (const t of order) runs.node.get(t)!.push(runJson(nodeArgs(t), `tabtune wasm in Node ${process.version}`));
    }
    // Each row keeps its side's name (benchLmStep's JSON names only the backend) and the threads it ran.
    const rows = (side: Map<number, CompareRow[]>, engine: string): CompareRow[] => o.threads.map((t) => ({ ...pooled(side.get(t)!, o.batch * o.seq), engine, threads: side.get(t)!.find((r) => !r.skipped)?.threads ?? t }));
    return [...rows(runs.browser, `tabtune wasm in Chromium ${version}`), ...rows(runs.node, `tabtune wasm in Node ${process.version}`)];
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

/** The table, and Chromium's speed against its one thread and against Node's. */
export function browserReport(rows: CompareRow[], o: CompareOptions): string {
  const lines = [`LoRA step in Chromium and in Node: ${o.preset}${o.layers ? ` (${o.layers} layers)` : ''}, batch ${o.batch} x ${o.seq}, median of ${o.steps} steps, ${o.rounds ?? 1} alternating round(s), steps pooled`, '', ...compareTable(rows), ''];
  const ok = rows.filter((r) => !r.skipped);
  const find = (where: string, one: boolean): CompareRow | undefined => ok.find((r) => r.engine.includes(where) && ((r.threads ?? 1) > 1) !== one);
  const ratio = (label: string, a: CompareRow | undefined, b: CompareRow | undefined): void => {
    lines.push(`${label}: ${a?.tokensPerSecond !== undefined && b?.tokensPerSecond !== undefined ? (a.tokensPerSecond / b.tokensPerSecond).toFixed(2) : 'n/a (a side was skipped)'}`);
  };
  const [c1, cn, n1, nn] = [find('Chromium', true), find('Chromium', false), find('Node', true), find('Node', false)];
  ratio('Chromium all threads / Chromium 1 thread, tokens/s', cn, c1);
  ratio('Chromium / Node, 1 thread, tokens/s', c1, n1);
  ratio('Chromium / Node, all threads, tokens/s', cn, nn);
  if (c1?.roundMs && cn?.roundMs) lines.push(`  Chromium per round (all threads / 1 thread): ${c1.roundMs.map((ms, i) => (ms / cn.roundMs![i]!).toFixed(2)).join(', ')}`);
  return lines.join('\n');
}
