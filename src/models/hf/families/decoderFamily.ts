/** An HfFamily for a llama-like decoder: the shared layout and forward, the family's config rules. */
import { decoderForward } from '../decoderForward.ts';
import type { HfFamily } from '../hfFamily.ts';
import { DECODER_EMBEDDING } from '../hfNames.ts';
import { parseDecoderConfig, type DecoderRules } from './decoderConfig.ts';
import { decoderLinearModules, decoderOtherTensors } from './decoderLayout.ts';

export function decoderFamily(label: string, peftTargets: string[], rules: DecoderRules): HfFamily {
  return {
    modelType: rules.arch,
    label,
    peftTargets,
    parse: (raw, fileName) => parseDecoderConfig(raw, fileName, rules),
    linearModules: decoderLinearModules,
    otherTensors: decoderOtherTensors,
    embeddingName: DECODER_EMBEDDING,
    forward: decoderForward,
  };
}
