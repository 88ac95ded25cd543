import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../data/rng.ts';
import { createLmLora, disposeLmLora } from '../../lm/createLmLora.ts';
import { chunkedCausalLmLoss } from '../../lm/chunkedCrossEntropy.ts';
import { tf, type Variable } from '../../tf.ts';
import { causalLmHidden } from './causalLmLogits.ts';
import { lmHeadWeight } from './hfBlocks.ts';
import { parseHfConfig } from './hfConfig.ts';
import { expectedHfTensors, hfLinearModules } from './hfLayout.ts';
import { estimateLmTrainMemory } from './hfMemory.ts';
import type { HfCausalLm } from './hfTypes.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A model of the config's shapes with small random weights. */
function randomLm(raw: Record<string, unknown>): HfCausalLm {
  const config = parseHfConfig(raw, 'config.json');
  const rng = createRng(1);
  const weights = new Map<string, Variable>();
  for (const [name, shape] of expectedHfTensors(config)) {
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng() - 0.5) * 0.05);
    weights.set(name, tf.variable(tf.tensor(values, shape), false));
  }
  return { config, weights, modules: hfLinearModules(config) };
}

const llama = { model_type: 'llama', num_hidden_layers: 4, hidden_size: 96, num_attention_heads: 6, num_key_value_heads: 2, intermediate_size: 256, vocab_size: 3000, max_position_embeddings: 256, rms_norm_eps: 1e-5, tie_word_embeddings: true };
const gpt2 = { model_type: 'gpt2', n_layer: 4, n_embd: 96, n_head: 6, vocab_size: 3000, n_positions: 256 };

/** Peak bytes above the weights of one LoRA step (q,v or c_attn, r=8), measured by tf.profile. */
async function measuredPeak(lm: HfCausalLm, batch: number, seq: number, recompute: boolean): Promise<number> {
  const targets = /(q_proj|v_proj|c_attn)$/;
  const plan = Object.fromEntries(lm.modules.filter((m) => targets.test(m.path)).map((m) => [m.path, { kind: 'lora' as const, r: 8, alpha: 16 }]));
  const lora = createLmLora(plan, lm.modules, createRng(2));
  const rng = createRng(3);
  const ids = tf.tensor2d(Int32Array.from({ length: batch * seq }, () => Math.floor(rng() * lm.config.vocabSize)), [batch, seq], 'int32');
  const labels = Int32Array.from({ length: batch * seq }, () => Math.floor(rng() * lm.config.vocabSize));
  const vars = [...lora.values()].flatMap((l) => [l.A, l.B]);
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => chunkedCausalLmLoss(causalLmHidden(lm, ids, { lora, training: true, dropoutSeed: 1, recompute }).hidden, lmHeadWeight(lm), labels).loss, vars);
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose(ids);
  disposeLmLora(lora);
  return info.peakBytes - before;
}

describe('estimateLmTrainMemory', () => {
  it.each([
    ['llama', llama, 2, 64],
    ['llama', llama, 1, 128],
    ['gpt2', gpt2, 2, 64],
    ['gpt2', gpt2, 1, 128],
  ] as const)('matches the measured peak of a LoRA step within 25%% ($0, batch $2 x $3), with and without checkpointing', async (_, raw, batch, seq) => {
    const lm = randomLm(raw);
    for (const checkpointing of [false, true]) {
      const measured = await measuredPeak(lm, batch, seq, checkpointing);
      const e = estimateLmTrainMemory(lm.config, { batch, seqLen: seq, totalParams: 0, trainableParams: 0, checkpointing });
      expect((e.activationBytes + e.lossBytes) / measured, `checkpointing ${checkpointing}`).toBeGreaterThan(0.75);
      expect((e.activationBytes + e.lossBytes) / measured, `checkpointing ${checkpointing}`).toBeLessThan(1.25);
    }
    for (const w of lm.weights.values()) w.dispose();
  });
});
