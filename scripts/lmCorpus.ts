/**
 * Seeded generator of the text the built-in tiny language model (public/models/tiny-chat-lm) is
 * pretrained on, and of the chat dataset that fine-tunes it (public/datasets/chat-sample.jsonl).
 *
 * The text lives in a tiny world with fixed facts (each animal has one colour, home, sound, number of
 * legs), so a model of a few hundred thousand weights learns visible patterns in minutes:
 *   stories     "the red fox sees the blue bird. the fox lives in the forest."
 *   counting    "three, four, five, six."        sums   "two plus three is five."
 *   Q and A     "Q: what color is the fox?\nA: The fox is red."
 *   chats       ChatML turns (<|im_start|>user ... <|im_end|>) answered plainly: "The fox is red."
 *
 * The chat sample teaches a behaviour the pretraining never shows: the assistant talks like a pirate,
 * "Arr! The fox is red, matey!" (pirateStyle below), with the same facts. Stories mention a pirate who
 * says "Arr!" and "matey", so the words are known; answering that way is new. A few dozen fine-tuning
 * steps make the change plain to see.
 *
 *   npx tsx scripts/lmCorpus.ts             # writes public/datasets/chat-sample.jsonl
 */
import { writeFileSync } from 'node:fs';
import { createRng, shuffleInPlace, type Rng } from '../src/data/rng.ts';
import type { ChatMessage } from '../src/tokenizers/lmTokenizer.ts';

export const END_OF_TEXT = '<|endoftext|>';
export const IM_START = '<|im_start|>';
export const IM_END = '<|im_end|>';
export const SPECIAL_TOKENS = [END_OF_TEXT, IM_START, IM_END] as const;

export interface Animal {
  name: string;
  color: string;
  /** Where it lives, with its article: "the forest", "a tree". */
  home: string;
  sound: string;
  legs: number;
}

export const ANIMALS: readonly Animal[] = [
  { name: 'fox', color: 'red', home: 'the forest', sound: 'yip', legs: 4 },
  { name: 'bird', color: 'blue', home: 'a tree', sound: 'tweet', legs: 2 },
  { name: 'cat', color: 'black', home: 'the house', sound: 'meow', legs: 4 },
  { name: 'dog', color: 'brown', home: 'the yard', sound: 'woof', legs: 4 },
  { name: 'fish', color: 'orange', home: 'the river', sound: 'blub', legs: 0 },
  { name: 'frog', color: 'green', home: 'the pond', sound: 'ribbit', legs: 4 },
  { name: 'owl', color: 'gray', home: 'the barn', sound: 'hoot', legs: 2 },
  { name: 'duck', color: 'yellow', home: 'the lake', sound: 'quack', legs: 2 },
  { name: 'cow', color: 'white', home: 'the farm', sound: 'moo', legs: 4 },
  { name: 'pig', color: 'pink', home: 'the mud', sound: 'oink', legs: 4 },
  { name: 'bear', color: 'brown', home: 'a cave', sound: 'growl', legs: 4 },
  { name: 'mouse', color: 'gray', home: 'the field', sound: 'squeak', legs: 4 },
];

export const NUMBERS = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty',
] as const;

const VERBS = ['sees', 'likes', 'chases', 'finds', 'follows', 'meets', 'helps', 'watches'];

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1)); // inclusive
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** One question about the world with its plain answer (the base model's style). */
export interface QuestionAnswer {
  question: string;
  answer: string;
}

/** Every kind of question, each phrased a few ways; `variant` picks the phrasing. */
export function animalQuestion(a: Animal, kind: number, variant: number): QuestionAnswer {
  switch (kind % 4) {
    case 0:
      return {
        question: ['what color is the NAME?', 'what is the color of the NAME?', 'tell me the color of the NAME.'][variant % 3]!.replace('NAME', a.name),
        answer: `The ${a.name} is ${a.color}.`,
      };
    case 1:
      return {
        question: ['where does the NAME live?', 'where is the home of the NAME?', 'tell me where the NAME lives.'][variant % 3]!.replace('NAME', a.name),
        answer: `The ${a.name} lives in ${a.home}.`,
      };
    case 2:
      return {
        question: ['what does the NAME say?', 'what sound does the NAME make?', 'tell me what the NAME says.'][variant % 3]!.replace('NAME', a.name),
        answer: `The ${a.name} says ${a.sound}.`,
      };
    default:
      return {
        question: ['how many legs does the NAME have?', 'how many legs has the NAME?', 'tell me how many legs the NAME has.'][variant % 3]!.replace('NAME', a.name),
        answer: `The ${a.name} has ${NUMBERS[a.legs]} legs.`,
      };
  }
}

export function sumQuestion(x: number, y: number, variant: number): QuestionAnswer {
  return {
    question: [`what is ${NUMBERS[x]} plus ${NUMBERS[y]}?`, `how much is ${NUMBERS[x]} plus ${NUMBERS[y]}?`][variant % 2]!,
    answer: `${capitalize(NUMBERS[x]!)} plus ${NUMBERS[y]} is ${NUMBERS[x + y]}.`,
  };
}

export function nextQuestion(x: number, variant: number): QuestionAnswer {
  return {
    question: [`what comes after ${NUMBERS[x]}?`, `which number comes after ${NUMBERS[x]}?`][variant % 2]!,
    answer: `${capitalize(NUMBERS[x + 1]!)} comes after ${NUMBERS[x]}.`,
  };
}

/** A random question of any kind. */
export function randomQuestion(rng: Rng): QuestionAnswer {
  const r = rng();
  if (r < 0.7) return animalQuestion(pick(rng, ANIMALS), int(rng, 0, 3), int(rng, 0, 2));
  if (r < 0.87) {
    const x = int(rng, 0, 10);
    return sumQuestion(x, int(rng, 0, 10), int(rng, 0, 1));
  }
  return nextQuestion(int(rng, 0, 19), int(rng, 0, 1));
}

/** Sometimes capitalise the user's question, so both spellings are seen. */
function userText(rng: Rng, question: string): string {
  return rng() < 0.5 ? capitalize(question) : question;
}

/**
 * The fine-tuned style: the plain answer between "Arr! " and ", matey!" (its full stop dropped).
 * "The fox is red." -> "Arr! The fox is red, matey!"
 */
export function pirateStyle(answer: string): string {
  return `Arr! ${answer.replace(/\.$/, '')}, matey!`;
}

/** The ChatML text of a conversation, exactly as the default chat template renders it. */
export function chatMl(messages: ChatMessage[]): string {
  return messages.map((m) => `${IM_START}${m.role}\n${m.content}${IM_END}\n`).join('');
}

/**
 * A pirate appears in stories, so the words of the fine-tuned style ("Arr!", "matey") are known to the
 * base model; only speaking that way in chats is new.
 */
function pirateSentence(rng: Rng): string {
  const a = pick(rng, ANIMALS);
  return [
    `the pirate says arr to the ${a.name}.`,
    `"Arr!" says the pirate to the ${a.color} ${a.name}.`,
    `the pirate calls the ${a.name} matey.`,
    `the pirate sails the ship to ${a.home}.`,
    `"Ahoy, matey!" says the pirate.`,
  ][int(rng, 0, 4)]!;
}

function storySentence(rng: Rng): string {
  const a = pick(rng, ANIMALS);
  const r = rng();
  if (r < 0.08) return pirateSentence(rng);
  if (r < 0.35) {
    let b = pick(rng, ANIMALS);
    while (b === a) b = pick(rng, ANIMALS);
    return `the ${a.color} ${a.name} ${pick(rng, VERBS)} the ${b.color} ${b.name}.`;
  }
  if (r < 0.5) return `the ${a.name} is ${a.color}.`;
  if (r < 0.65) return `the ${a.name} lives in ${a.home}.`;
  if (r < 0.8) return `the ${a.name} says ${a.sound}.`;
  if (r < 0.9) return `the ${a.name} has ${NUMBERS[a.legs]} legs.`;
  return `the ${a.color} ${a.name} goes to ${a.home} and says ${a.sound}.`;
}

function countingLine(rng: Rng): string {
  const start = int(rng, 0, 12);
  const length = int(rng, 3, 8);
  const end = Math.min(NUMBERS.length - 1, start + length - 1);
  return NUMBERS.slice(start, end + 1).join(', ') + '.';
}

function sumLine(rng: Rng): string {
  const x = int(rng, 0, 10);
  const y = int(rng, 0, 10);
  return `${NUMBERS[x]} plus ${NUMBERS[y]} is ${NUMBERS[x + y]}.`;
}

/**
 * One pretraining document (without the <|endoftext|> that separates documents): a short story, a
 * counting or sums exercise, a Q/A list, or a ChatML conversation of one to three plain-style turns.
 */
export function corpusDocument(rng: Rng): string {
  const r = rng();
  if (r < 0.3) {
    return Array.from({ length: int(rng, 2, 5) }, () => storySentence(rng)).join(' ');
  }
  if (r < 0.42) return Array.from({ length: int(rng, 1, 3) }, () => countingLine(rng)).join('\n');
  if (r < 0.52) return Array.from({ length: int(rng, 2, 4) }, () => sumLine(rng)).join('\n');
  if (r < 0.64) {
    return Array.from({ length: int(rng, 1, 3) }, () => {
      const qa = randomQuestion(rng);
      return `Q: ${qa.question}\nA: ${qa.answer}`;
    }).join('\n');
  }
  const messages: ChatMessage[] = [];
  const turns = rng() < 0.7 ? 1 : int(rng, 2, 3);
  for (let i = 0; i < turns; i++) {
    const qa = randomQuestion(rng);
    messages.push({ role: 'user', content: userText(rng, qa.question) }, { role: 'assistant', content: qa.answer });
  }
  return chatMl(messages);
}

/** `count` documents from `seed`. */
export function generateDocuments(seed: number, count: number): string[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => corpusDocument(rng));
}

export interface ChatRecord {
  messages: ChatMessage[];
}

/**
 * The fine-tuning sample: `count` distinct conversations (mostly one turn, some two) whose answers are in
 * pirate style. Every question kind and animal appears; the facts are the pretraining world's.
 */
export function chatSample(seed: number, count = 200): ChatRecord[] {
  const rng = createRng(seed);
  const pool: QuestionAnswer[] = [];
  for (const a of ANIMALS) for (let kind = 0; kind < 4; kind++) for (let v = 0; v < 3; v++) pool.push(animalQuestion(a, kind, v));
  for (let x = 0; x <= 6; x++) for (let y = 0; y <= 6; y++) pool.push(sumQuestion(x, y, (x + y) % 2));
  for (let x = 0; x < 20; x++) pool.push(nextQuestion(x, x % 2));
  shuffleInPlace(pool, rng);
  const records: ChatRecord[] = [];
  const seen = new Set<string>();
  let next = 0;
  const take = (): QuestionAnswer => pool[next++ % pool.length]!;
  while (records.length < count) {
    const turns = rng() < 0.85 ? 1 : 2;
    const messages: ChatMessage[] = [];
    for (let i = 0; i < turns; i++) {
      const qa = take();
      messages.push({ role: 'user', content: userText(rng, qa.question) }, { role: 'assistant', content: pirateStyle(qa.answer) });
    }
    const key = JSON.stringify(messages);
    if (seen.has(key)) continue; // the pool wraps around: keep the conversations distinct
    seen.add(key);
    records.push({ messages });
  }
  return records;
}

export const CHAT_SAMPLE_SEED = 20240717;
export const CHAT_SAMPLE_PATH = 'public/datasets/chat-sample.jsonl';

/** The JSONL text of the chat sample, one record per line. */
export function chatSampleJsonl(seed = CHAT_SAMPLE_SEED, count = 200): string {
  return chatSample(seed, count)
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(CHAT_SAMPLE_PATH, chatSampleJsonl());
  console.log(`wrote ${CHAT_SAMPLE_PATH}`);
}
