/**
 * A saved run's name for a person: what trained, on which model and data, when it started, e.g.
 * "LoRA r8 · tiny-chat-lm · chat-sample · 3 Dec 15:20" (local time, the same in every locale).
 */
import type { TrainPlan } from '../api.ts';
import type { RunKind } from './checkpointState.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The plan in a few words: "Head only", "LoRA r8", "LoRA r4–16 + 2 full". */
export function planInWords(plan: TrainPlan, kind: RunKind): string {
  const modes = Object.values(plan);
  const ranks = modes.flatMap((m) => (m.kind === 'lora' ? [m.r] : []));
  const full = modes.filter((m) => m.kind === 'full').length;
  const unit = kind === 'lm' ? 'module' : 'layer';
  const parts: string[] = [];
  if (ranks.length > 0) {
    const lo = Math.min(...ranks);
    const hi = Math.max(...ranks);
    parts.push(lo === hi ? `LoRA r${lo}` : `LoRA r${lo}–${hi}`);
  }
  if (full > 0) parts.push(`${full} ${unit}${full === 1 ? '' : 's'} full`);
  if (parts.length === 0) return kind === 'lm' ? 'Nothing trained' : 'Head only';
  return parts.join(' + ');
}

/** "3 Dec 15:20" in local time. */
export function shortDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A dataset's name without the file extension a person did not choose ("chat-sample.jsonl" -> "chat-sample"). */
function datasetLabel(name: string): string {
  return name.replace(/\.(csv|tsv|jsonl|ndjson|json|txt|text|md)$/i, '');
}

/**
 * A model's name without the host it was served from: a Hub URL gives "org/name", any other URL its
 * last path segment ("http://localhost:4173/models/tiny-chat-lm" -> "tiny-chat-lm"); names stay.
 */
export function modelLabel(name: string): string {
  const url = /^https?:\/\/([^/]+)\/(.*)$/.exec(name);
  if (!url) return name;
  const path = url[2]!.replace(/\/+$/, '').replace(/\/resolve\/[^/]+$/, '');
  if (/(^|\.)huggingface\.co$/.test(url[1]!)) return path || name;
  return path.split('/').pop() || name;
}

/** The run's name; `plan` is null for runs saved before names (their summaries hold no plan). */
export function runName(run: { kind: RunKind; startedAt: number; modelName: string; datasetName: string }, plan: TrainPlan | null): string {
  return [...(plan ? [planInWords(plan, run.kind)] : []), modelLabel(run.modelName), datasetLabel(run.datasetName), shortDate(run.startedAt)].join(' · ');
}
