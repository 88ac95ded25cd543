/** `tabtune logits`: next-token logits of a Hugging Face causal LM (optionally with a PEFT adapter) as JSON. */
import { causalLmLogits } from '../models/hf/causalLmLogits.ts';
import { EngineError } from '../errors.ts';
import { tf, type Tensor2D } from '../tf.ts';
import { backendOf, BACKEND_OPTION, parse, str, UsageError } from './args.ts';
import type { Io } from './main.ts';
import { readDatasetFolder, startEngine } from './nodeEngine.ts';
import { lmSourceOf } from './trainLm.ts';

export const LOGITS_USAGE = 'tabtune logits --model <HF folder | Hub id | URL> [--adapter <PEFT adapter folder, or a job output folder>] --ids 1,2,3 [--backend auto|webgpu|wasm|cpu] [--threads N]';

export async function logits(args: string[], io: Io): Promise<number> {
  const p = parse(args, { model: { type: 'string' }, adapter: { type: 'string' }, ids: { type: 'string' }, ...BACKEND_OPTION });
  const model = str(p, 'model');
  const idsText = str(p, 'ids');
  if (!model || !idsText) throw new UsageError(`--model and --ids are required; usage: ${LOGITS_USAGE}`);
  const ids = idsText.split(',').map((s) => Number(s.trim()));
  if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n < 0)) throw new UsageError(`--ids ${idsText}: expected token ids like 1,2,3.`);
  const { engine } = await startEngine({ ...backendOf(p), workload: 'lm' });
  try {
    await engine.lmLoadModel(lmSourceOf(model));
    const adapter = str(p, 'adapter');
    if (adapter) {
      // A job's output folder (export-job) holds job_result.json beside adapter/: take it back whole.
      const files = readDatasetFolder(adapter);
      await (files.some((f) => f.path.split('/').length === 2 && f.path.endsWith('/job_result.json')) ? engine.lmImportJob(files) : engine.lmImportAdapter(files));
    }
    const { lm, lora } = engine.lm.current();
    const bad = ids.find((id) => id >= lm.config.vocabSize);
    if (bad !== undefined) throw new EngineError('bad-input', `token id ${bad} is outside the vocabulary (0 to ${lm.config.vocabSize - 1}).`);
    const out = tf.tidy(() => causalLmLogits(lm, tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32') as Tensor2D, { lora: lora ?? undefined }).logits.squeeze([0])); // [T, V]
    const rows = (await out.array()) as number[][];
    out.dispose();
    io.out(JSON.stringify({ logits: rows }));
    return 0;
  } finally {
    engine.dispose();
  }
}
