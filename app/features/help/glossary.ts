/** README sections the help links to (GitHub's heading anchors). */
export const README_SECTIONS = {
  tour: 'a-short-tour',
  lm: 'language-models',
  download: 'what-you-download',
} as const;

export type ReadmeSection = keyof typeof README_SECTIONS;

export interface TermHelp {
  term: string;
  /** One line, for a person who has never fine-tuned a model. */
  line: string;
  section: ReadmeSection;
}

/** Every LoRA and training term the studio shows, explained in one line each. */
export const GLOSSARY = {
  frozen: { term: 'frozen', line: 'The layer keeps its pre-trained weights; nothing in it changes.', section: 'tour' },
  full: { term: 'train / full', line: 'Every weight of the layer is trained (a copy; the base stays as it was).', section: 'tour' },
  lora: { term: 'LoRA', line: 'Trains two small matrices A and B beside the frozen weight; the output becomes base(x) + scale·(x·A)·B.', section: 'tour' },
  rank: { term: 'r (rank)', line: 'The width of A and B: higher learns more and costs more (4 to 16 is usual).', section: 'tour' },
  alpha: { term: 'α (alpha)', line: 'Scales the LoRA update by alpha / r; the usual alpha is 2 × r.', section: 'tour' },
  dropout: { term: 'drop (LoRA dropout)', line: 'Drops this share of the LoRA input while training, against over-fitting; 0 is off.', section: 'tour' },
  rslora: { term: 'rs (rsLoRA)', line: 'Scales by alpha / √r instead of alpha / r, which keeps high ranks stable.', section: 'tour' },
  head: { term: 'new head', line: 'A fresh output layer for your classes, always trained.', section: 'tour' },
  learningRate: { term: 'Learning rate', line: 'How far each step moves the weights (AdamW); too high diverges, too low learns slowly.', section: 'tour' },
  batchSize: { term: 'Batch size', line: 'Examples per step: larger is steadier but needs more memory.', section: 'tour' },
  epochs: { term: 'Epochs', line: 'Passes over the whole training split.', section: 'tour' },
  steps: { term: 'Steps', line: 'Optimizer updates in the run (language models count steps, not epochs).', section: 'lm' },
  gradAccumulation: { term: 'Grad. accumulation', line: 'Micro-batches summed before each step: a larger batch in the same memory.', section: 'lm' },
  weightDecay: { term: 'Weight decay', line: 'Pulls weights gently towards zero each step (AdamW’s decoupled form).', section: 'tour' },
  schedule: { term: 'Learning-rate schedule', line: 'Warm up from 0, then decay to 0 by the last step (cosine or linear), or keep it constant.', section: 'tour' },
  clipNorm: { term: 'Gradient clipping', line: 'Caps the size of each step’s gradient, so one bad batch cannot wreck the run.', section: 'tour' },
  patience: { term: 'Early stopping', line: 'Stops when the validation loss has not improved for this many evaluations.', section: 'tour' },
  maxLength: { term: 'Max length', line: 'Tokens per training row; longer examples are cut (and counted).', section: 'lm' },
  validation: { term: 'Validation', line: 'Examples held out of training, to measure how the model does on data it has not seen.', section: 'tour' },
} satisfies Record<string, TermHelp>;

export type GlossaryKey = keyof typeof GLOSSARY;

/** The link to a README section, beside the built studio (vite.config.ts ships README.md with it). */
export function readmeHref(section: ReadmeSection): string {
  return `README.md#${README_SECTIONS[section]}`;
}
