/**
 * Preference tuning of a language model (DPO and friends, as TRL's DPOTrainer, CPOTrainer and
 * ORPOTrainer compute them): the data, the objective's settings and its metrics. Plain data only.
 */

/**
 * `sigmoid` (DPO), `hinge`, `ipo` and `robust` use a reference model (the base with the adapter
 * disabled, or the adapter a run starts from); `simpo` and `orpo` do not.
 */
export type PreferenceLoss = 'sigmoid' | 'hinge' | 'ipo' | 'robust' | 'simpo' | 'orpo';

export const PREFERENCE_LOSSES: readonly PreferenceLoss[] = ['sigmoid', 'ipo', 'hinge', 'robust', 'simpo', 'orpo'];

/** Losses that compare the policy with a reference model. */
export const REFERENCE_LOSSES: ReadonlySet<PreferenceLoss> = new Set(['sigmoid', 'hinge', 'ipo', 'robust']);

export interface PreferenceSettings {
  loss: PreferenceLoss;
  /** DPO's beta (IPO's tau, ORPO's lambda); TRL's default 0.1. */
  beta: number;
  /**
   * Conservative DPO (sigmoid, simpo: -(1-e)·logσ(z) - e·logσ(-z)) and Robust DPO's flip probability
   * (robust, in [0, 0.5)). 0 (the default) is TRL 1.x's plain sigmoid loss.
   */
  labelSmoothing: number;
  /** SimPO's target margin gamma (CPOConfig.simpo_gamma, default 0.5). */
  gamma: number;
  /** Compute the reference log-probabilities of every pair once before training (TRL's precompute_ref_log_probs). */
  precomputeRef: boolean;
}

export const DEFAULT_PREFERENCE_SETTINGS: PreferenceSettings = { loss: 'sigmoid', beta: 0.1, labelSmoothing: 0, gamma: 0.5, precomputeRef: false };

/** How the file was read: TRL's standard (strings) or conversational (message lists) format, or OpenAI's. */
export type PreferenceFormat = 'preference' | 'preference-chat' | 'openai-preference';

export interface PreferenceDatasetOptions {
  /** Tokens of prompt + completion (TRL's max_length); at most the model's context length. */
  maxLength: number;
  /** A pair longer than maxLength: cut at maxLength as TRL does (keep_start), or left out. */
  overLong: 'truncate' | 'skip';
  validationFraction: number;
  seed: number;
}

export const DEFAULT_PREFERENCE_DATASET_OPTIONS: PreferenceDatasetOptions = { maxLength: 128, overLong: 'truncate', validationFraction: 0.1, seed: 42 };

/** One pair as the preview shows it (text as rendered, before tokenization). */
export interface PreferencePreview {
  line: number;
  prompt: string;
  chosen: string;
  rejected: string;
}

export interface PreferenceDatasetSummary {
  name: string;
  format: PreferenceFormat;
  /** Pairs kept. */
  pairs: number;
  train: number;
  validation: number;
  /** Pairs longer than maxLength, cut (truncate) or left out (skip); their lines are in `issues` when skipped. */
  tooLong: number;
  truncated: number;
  /** Lines left out, each "Line N: ..." (a missing field, an empty completion, chosen equal to rejected, too long). */
  issues: { line: number; message: string }[];
  badLines: number;
  /** The first pairs, for a side-by-side preview. */
  preview: PreferencePreview[];
  /** The prompts of the validation pairs (Try it). */
  validationPrompts: string[];
  options: PreferenceDatasetOptions;
}

/** TRL's metric names, averaged over pairs. */
export interface PreferenceMetrics {
  loss: number;
  'rewards/chosen': number;
  'rewards/rejected': number;
  'rewards/accuracies': number;
  'rewards/margins': number;
  'logps/chosen': number;
  'logps/rejected': number;
}

/** One pair scored: summed completion log-probabilities under the policy and the reference. */
export interface PreferencePairScore {
  line: number;
  policy_chosen_logps: number;
  policy_rejected_logps: number;
  /** NaN for the reference-free losses. */
  ref_chosen_logps: number;
  ref_rejected_logps: number;
  prompt_tokens: number;
  chosen_tokens: number;
  rejected_tokens: number;
  rewards_chosen: number;
  rewards_rejected: number;
  loss: number;
}

export interface PreferenceEvaluation {
  summary: PreferenceMetrics;
  pairs: PreferencePairScore[];
}

/** Which loaded pairs lmEvalPreferences scores. */
export type PreferenceRows = 'all' | 'train' | 'validation';
