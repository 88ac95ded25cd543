/**
 * What a language model's adapter is used for: streamed generations with or without it, the
 * adapter strength (and the validation loss there), PEFT and merged exports, and importing a PEFT
 * adapter made here or by Python PEFT.
 */
import { strToU8, zipSync } from 'fflate';
import type { DatasetFile, GenerateRequest, GenerateResult, LmExport, TrainPlan } from '../api.ts';
import { EngineError } from '../errors.ts';
import { disposeLmLora, scaledLora } from '../lm/createLmLora.ts';
import { generateText } from '../lm/generateText.ts';
import { lmValidationLoss } from '../lm/lmValidation.ts';
import { disposeFull, exportStem } from '../lm/lmWeights.ts';
import { loraFromTensors, readPeftAdapter, writePeftAdapter } from '../lora/hfPeftFiles.ts';
import type { LmLora } from '../models/hf/hfTypes.ts';
import { mergeLora } from '../models/hf/mergeLora.ts';
import { saveHfSafetensors } from '../models/hf/saveHfSafetensors.ts';
import { tf } from '../tf.ts';
import type { LmTokenizer } from '../tokenizers/lmTokenizer.ts';
import type { LmTask } from './lmTask.ts';

/** The prompt as ids: raw text, or a user turn through the chat template (with the assistant header). */
export function promptIds(tokenizer: LmTokenizer, prompt: string, chat: boolean): number[] {
  if (!chat) return tokenizer.encode(prompt);
  return tokenizer.encode(tokenizer.applyChatTemplate([{ role: 'user', content: prompt }], { addGenerationPrompt: true }), { addSpecialTokens: false });
}

export async function generate(task: LmTask, request: GenerateRequest): Promise<GenerateResult> {
  const { lm, tokenizer, stopIds } = task.requireModel();
  const adapted = request.model === 'adapted';
  const lora = adapted && task.lora ? scaledLora(task.lora, task.strength) : undefined;
  const g = await generateText(adapted ? task.adaptedLm() : lm, tokenizer, promptIds(tokenizer, request.prompt, request.chat), {
    maxNewTokens: request.maxNewTokens,
    temperature: request.temperature,
    topK: request.topK,
    topP: request.topP,
    seed: request.seed,
    lora,
    stopIds,
    onText: (text) => task.context.emit({ type: 'lmToken', requestId: request.requestId, text }),
    shouldStop: () => task.context.shouldStop(),
  });
  return { requestId: request.requestId, text: g.text, tokens: g.ids.length, finish: g.finish };
}

export async function setStrength(task: LmTask, strength: number): Promise<{ strength: number; validationLoss: number }> {
  if (!(strength >= 0 && strength <= 1)) throw new EngineError('bad-config', `The adapter strength must be between 0 and 1, not ${strength}.`);
  task.strength = strength;
  return { strength, validationLoss: await validationLoss(task) };
}

/** The validation loss of the model as adapted now (at the current strength). */
async function validationLoss(task: LmTask): Promise<number> {
  const { tokenizer } = task.requireModel();
  if (!task.data || task.data.validation.length === 0) return Number.NaN;
  const rows = { examples: task.data.dataset.examples, maxLength: task.data.summary.options.maxLength, padId: tokenizer.padId };
  return lmValidationLoss(task.adaptedLm(), task.lora ? scaledLora(task.lora, task.strength) : undefined, rows, task.data.validation, 8);
}

/** The adapter at the current strength: B scaled by it, which is PEFT's update scaled the same way. */
function strengthLora(task: LmTask): { lora: LmLora; dispose: () => void } {
  // A run that only trained projections in full has no adapter: merging then just writes them.
  const lora = task.full.size > 0 && !task.lora ? new Map() : task.lora;
  if (!lora) throw new EngineError('not-trained', 'Train an adapter (or import one) first.');
  if (task.strength === 1) return { lora, dispose: () => {} };
  const scaled: LmLora = new Map([...lora].map(([p, ad]) => [p, { ...ad, B: tf.tidy(() => tf.variable(ad.B.mul(task.strength), false)) }]));
  return { lora: scaled, dispose: () => scaled.forEach((ad) => ad.B.dispose()) };
}

export async function exportAdapter(task: LmTask): Promise<LmExport> {
  const { lm, label } = task.requireModel();
  const { lora, dispose } = strengthLora(task);
  try {
    const { config, safetensors } = await writePeftAdapter(lora, task.loraPlan, lm.modules, { arch: lm.config.architecture, baseModelNameOrPath: label });
    const files = { 'adapter_config.json': strToU8(config), 'adapter_model.safetensors': safetensors };
    return { name: `${exportStem(label, task.trainedOn?.summary.name ?? null)}-lora`, files, zip: zipSync(files, { level: 0 }) };
  } finally {
    dispose();
  }
}

export async function exportMerged(task: LmTask): Promise<LmExport> {
  const { lm, label, extraFiles } = task.requireModel();
  const { lora, dispose } = strengthLora(task);
  try {
    const weights = await mergeLora(task.adaptedLm(), lora);
    const files: Record<string, Uint8Array> = {
      'config.json': strToU8(JSON.stringify(lm.config.raw, null, 2)),
      'model.safetensors': await saveHfSafetensors(lm, weights),
    };
    for (const [name, bytes] of extraFiles) files[name] = bytes;
    return { name: `${exportStem(label, task.trainedOn?.summary.name ?? null)}-merged`, files, zip: zipSync(files, { level: 0 }) };
  } finally {
    dispose();
  }
}

export async function importAdapter(task: LmTask, files: DatasetFile[]): Promise<{ plan: TrainPlan; validationLoss: number }> {
  const { lm } = task.requireModel();
  const find = (name: string) => files.find((f) => f.path.split('/').pop() === name);
  const config = find('adapter_config.json');
  const weights = find('adapter_model.safetensors');
  if (!config || !weights) {
    throw new EngineError('peft-files-missing', `An adapter needs adapter_config.json and adapter_model.safetensors; got ${files.map((f) => f.path).join(', ') || 'no files'}.`);
  }
  const read = readPeftAdapter(await config.file.text(), new Uint8Array(await weights.file.arrayBuffer()), lm.modules, config.path.replace(/adapter_config\.json$/, '') || 'adapter');
  const lora = loraFromTensors(read.tensors, read.plan);
  if (task.lora) disposeLmLora(task.lora);
  disposeFull(task.full);
  task.lora = null;
  task.keepTrained(lora, new Map(), read.plan, null);
  task.plan = structuredClone(read.plan);
  return { plan: read.plan, validationLoss: await validationLoss(task) };
}
