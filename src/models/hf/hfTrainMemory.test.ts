import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../data/rng.ts';
import { createLmLora, disposeLmLora } from '../../lm/createLmLora.ts';
import { chunkedCausalLmLoss } from '../../lm/chunkedCrossEntropy.ts';
import { tf, type Variable } from '../../tf.ts';
import { causalLmHidden, lmHeadOf } from './causalLmLogits.ts';
import { parseHfConfig } from './hfConfig.ts';
import { expectedHfTensors, hfLinearModules } from './hfLayout.ts';
import { noGradient } from '../../train/noGradient.ts';
import { peakBufferBytes } from '../../testing/peakBufferBytes.ts';
import { preferenceBatchLoss, preferenceLogps, preferencePairLosses, type PreferenceLabels } from '../../train/preferenceLoss.ts';
import { DEFAULT_PREFERENCE_SETTINGS } from '../../api/preferenceTypes.ts';
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
// Other families at one shape each: attention wider than the hidden size (6 x 32 = 192) and q/k norms;
// gemma2's sandwich norms, gelu, soft-capping and sliding window; phi3's fused projections.
const qwen3 = { ...llama, model_type: 'qwen3', head_dim: 32, tie_word_embeddings: false };
const gemma2 = {
  ...llama,
  model_type: 'gemma2',
  head_dim: 32,
  hidden_activation: 'gelu_pytorch_tanh',
  query_pre_attn_scalar: 32,
  attn_logit_softcapping: 50,
  final_logit_softcapping: 30,
  sliding_window: 32,
  layer_types: ['sliding_attention', 'full_attention', 'sliding_attention', 'full_attention'],
  rms_norm_eps: 1e-6,
};
const phi3 = { ...llama, model_type: 'phi3', tie_word_embeddings: false };
const gpt2 = { model_type: 'gpt2', n_layer: 4, n_embd: 96, n_head: 6, vocab_size: 3000, n_positions: 256 };

function qvLora(lm: HfCausalLm) {
  const targets = /(q_proj|v_proj|qkv_proj|c_attn)$/;
  const plan = Object.fromEntries(lm.modules.filter((m) => targets.test(m.path)).map((m) => [m.path, { kind: 'lora' as const, r: 8, alpha: 16 }]));
  return createLmLora(plan, lm.modules, createRng(2));
}

/** Peak bytes above the weights of one LoRA step (q,v or c_attn, r=8): distinct buffers alive at once. */
async function measuredPeak(lm: HfCausalLm, batch: number, seq: number, recompute: boolean): Promise<number> {
  const lora = qvLora(lm);
  const rng = createRng(3);
  const ids = tf.tensor2d(Int32Array.from({ length: batch * seq }, () => Math.floor(rng() * lm.config.vocabSize)), [batch, seq], 'int32');
  const labels = Int32Array.from({ length: batch * seq }, () => Math.floor(rng() * lm.config.vocabSize));
  const vars = [...lora.values()].flatMap((l) => [l.A, l.B]);
  const peak = await peakBufferBytes(() => {
    const { value, grads } = tf.variableGrads(() => chunkedCausalLmLoss(causalLmHidden(lm, ids, { lora, training: true, dropoutSeed: 1, recompute }).hidden, lmHeadOf(lm), labels).loss, vars);
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose(ids);
  disposeLmLora(lora);
  return peak;
}

describe('estimateLmTrainMemory', () => {
  it.each([
    ['llama', llama, 2, 64],
    ['llama', llama, 1, 128],
    ['llama', llama, 4, 64],
    ['qwen3', qwen3, 2, 64],
    ['gemma2', gemma2, 1, 128],
    ['phi3', phi3, 2, 64],
    ['gpt2', gpt2, 2, 64],
    ['gpt2', gpt2, 1, 128],
    ['gpt2', { ...gpt2, vocab_size: 6000 }, 4, 64],
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

/**
 * Peak bytes above the weights of one DPO step of `pairs` pairs as preferenceLoopSpec takes it: the
 * reference pass (adapter off, no tape, one block at a time), then chosen and rejected [2B, T]
 * through the policy and the chunked head; the second half of each row is the completion.
 */
async function measuredPreferencePeak(lm: HfCausalLm, pairs: number, seq: number, recompute: boolean): Promise<number> {
  const lora = qvLora(lm);
  const rng = createRng(3);
  const n = 2 * pairs * seq;
  const ids = tf.tensor2d(Int32Array.from({ length: n }, () => Math.floor(rng() * lm.config.vocabSize)), [2 * pairs, seq], 'int32');
  const batch: PreferenceLabels = {
    B: pairs,
    T: seq,
    labels: Int32Array.from({ length: n }, () => Math.floor(rng() * lm.config.vocabSize)),
    completion: Float32Array.from({ length: n }, (_, i) => (i % seq >= seq / 2 && i % seq < seq - 1 ? 1 : 0)),
    targets: Float32Array.from({ length: n }, (_, i) => (i % seq < seq - 1 ? 1 : 0)),
  };
  const lengths = Array.from({ length: 2 * pairs }, () => seq / 2 - 1);
  const vars = [...lora.values()].flatMap((l) => [l.A, l.B]);
  const peak = await peakBufferBytes(() => {
    const { value, grads } = tf.variableGrads(() => {
      const reference = noGradient(() => preferenceLogps(causalLmHidden(lm, ids, { recompute: true }).hidden, lmHeadOf(lm), batch, false).logps);
      const policy = preferenceLogps(causalLmHidden(lm, ids, { lora, training: true, dropoutSeed: 1, recompute }).hidden, lmHeadOf(lm), batch, false);
      return preferenceBatchLoss(preferencePairLosses(policy.logps, reference, lengths, DEFAULT_PREFERENCE_SETTINGS), policy.chosenNll, DEFAULT_PREFERENCE_SETTINGS);
    }, vars);
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose(ids);
  disposeLmLora(lora);
  return peak;
}

describe('estimateLmTrainMemory for a preference run (pairs)', () => {
  it.each([
    ['llama', llama, 2, 64],
    ['gemma2', gemma2, 1, 64],
    ['gpt2', gpt2, 1, 128],
  ] as const)('matches the measured peak of a DPO step within 25%% ($0, $2 pairs x $3), with and without checkpointing', async (_, raw, pairs, seq) => {
    const lm = randomLm(raw);
    for (const checkpointing of [false, true]) {
      const measured = await measuredPreferencePeak(lm, pairs, seq, checkpointing);
      const e = estimateLmTrainMemory(lm.config, { batch: pairs, seqLen: seq, totalParams: 0, trainableParams: 0, checkpointing, pairs: true });
      const estimated = e.totalBytes;
      console.log(`${_} ${pairs} pairs x ${seq}, checkpointing ${checkpointing}: estimated ${(estimated / 1e6).toFixed(2)} MB, measured ${(measured / 1e6).toFixed(2)} MB`);
      expect(estimated / measured, `checkpointing ${checkpointing}`).toBeGreaterThan(0.75);
      expect(estimated / measured, `checkpointing ${checkpointing}`).toBeLessThan(1.25);
      // Twice the sequences of a supervised batch: more than the supervised estimate at the same batch.
      expect(estimated).toBeGreaterThan(estimateLmTrainMemory(lm.config, { batch: pairs, seqLen: seq, totalParams: 0, trainableParams: 0, checkpointing }).totalBytes);
    }
    for (const w of lm.weights.values()) w.dispose();
  });
});
