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

/**
 * `byShape`: kernels named there are split by their input shapes (and transpose flags, shown as
 * ᵀ), e.g. to see which of a step's many BatchMatMuls take the time.
 */
export async function kernelTimes(info: ProfileInfo, wallMs: number, byShape: string[] = []): Promise<KernelTime[]> {
  const byName = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels) {
    const t = await k.kernelTimeMs;
    const ms = typeof t === 'number' ? t : 0;
    const key = byShape.includes(k.name) ? `${k.name} ${k.inputShapes.map((s) => `[${s.join(', ')}]`).join(' x ')}` : k.name;
    const e = byName.get(key) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += ms;
    byName.set(key, e);
  }
  return [...byName.entries()].map(([name, e]) => ({ name, ...e, share: e.ms / wallMs })).sort((a, b) => b.ms - a.ms);
}

export function kernelTable(rows: KernelTime[], top = 15): string {
  const lines = ['| kernel | calls | ms | share of step |', '| --- | --- | --- | --- |'];
  for (const r of rows.slice(0, top)) lines.push(`| ${r.name} | ${r.calls} | ${r.ms.toFixed(1)} | ${(100 * r.share).toFixed(1)}% |`);
  return lines.join('\n');
}
