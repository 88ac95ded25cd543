/**
 * `npm run make-preference-sample`: public/datasets/pirate-prefs.jsonl, preference pairs for the
 * built-in tiny chat model in TRL's conversational format, made from the sample chat data: the
 * earlier turns are the prompt, the pirate answer ("Arr! The frog is green, matey!") is chosen and
 * the plain one the base model gives ("The frog is green.") rejected.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface Message {
  role: string;
  content: string;
}

const PAIRS = 60;

export function plainAnswer(pirate: string): string {
  const core = pirate.replace(/^Arr! /, '').replace(/, matey!$/, '');
  return `${core.charAt(0).toUpperCase()}${core.slice(1)}.`;
}

export function preferenceSample(chatJsonl: string, pairs = PAIRS): string {
  const out: string[] = [];
  for (const line of chatJsonl.split('\n')) {
    if (out.length >= pairs || line.trim() === '') continue;
    const messages = (JSON.parse(line) as { messages: Message[] }).messages;
    const last = messages.at(-1)!;
    if (last.role !== 'assistant' || !last.content.startsWith('Arr! ')) continue;
    out.push(JSON.stringify({ prompt: messages.slice(0, -1), chosen: [last], rejected: [{ role: 'assistant', content: plainAnswer(last.content) }] }));
  }
  return `${out.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = preferenceSample(readFileSync(new URL('../public/datasets/chat-sample.jsonl', import.meta.url), 'utf8'));
  writeFileSync(new URL('../public/datasets/pirate-prefs.jsonl', import.meta.url), text);
  console.log(`wrote public/datasets/pirate-prefs.jsonl (${text.trim().split('\n').length} pairs)`);
}
