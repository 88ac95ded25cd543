/**
 * Time per kernel in one `tf.profile` of a step, summed by kernel name, for `npm run bench -- --profile`.
 * Kernels that run other kernels (the WASM BatchMatMul that transposes first) count their inner
 * kernels' time too, so shares can add up to more than 100%.
 */
import type { tf } from '../src/tf.ts';

type ProfileInfo = Awaited<ReturnType<typeof tf.profile>>;

export interface KernelTime {
  name: string;
  calls: number;
  ms: number;
  share: number;
}

export async function kernelTimes(info: ProfileInfo, wallMs: number): Promise<KernelTime[]> {
  const byName = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels) {
    const t = await k.kernelTimeMs;
    const ms = typeof t === 'number' ? t : 0;
    const e = byName.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += ms;
    byName.set(k.name, e);
  }
  return [...byName.entries()].map(([name, e]) => ({ name, ...e, share: e.ms / wallMs })).sort((a, b) => b.ms - a.ms);
}

export function kernelTable(rows: KernelTime[], top = 15): string {
  const lines = ['| kernel | calls | ms | share of step |', '| --- | --- | --- | --- |'];
  for (const r of rows.slice(0, top)) lines.push(`| ${r.name} | ${r.calls} | ${r.ms.toFixed(1)} | ${(100 * r.share).toFixed(1)}% |`);
  return lines.join('\n');
}
