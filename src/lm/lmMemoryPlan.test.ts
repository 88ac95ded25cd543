import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors.ts';
import { parseHfConfig } from '../models/hf/hfConfig.ts';
import { checkLmMemory, planLmMemory } from './lmMemoryPlan.ts';

// SmolLM2-135M's shapes (tied embeddings): 134,515,008 parameters; LoRA r=8 on q,v: 460,800 trainable.
const smol = parseHfConfig(
  { model_type: 'llama', num_hidden_layers: 30, hidden_size: 576, num_attention_heads: 9, num_key_value_heads: 3, intermediate_size: 1536, vocab_size: 49152, max_position_embeddings: 2048, tie_word_embeddings: true },
  'config.json',
);
const run = { batch: 4, maxLength: 128, trainableParams: 460_800 };
// Four times the tokens: the blocks' saved activations with the weights pass the WASM heap.
const long = { ...run, maxLength: 512 };

describe('planLmMemory and checkLmMemory', () => {
  it('turns gradient checkpointing on by itself on WASM for SmolLM2 at batch 4 x 512, and the run then fits', () => {
    const plan = planLmMemory(smol, 134_515_008, long, 'wasm', {});
    expect(plan.auto).toBe(true);
    expect(plan.estimate.checkpointing).toBe(true);
    expect(plan.plainBytes).toBeGreaterThan(plan.budget!);
    expect(plan.estimate.totalBytes).toBeLessThan(plan.budget!);
    expect(plan.estimate.weightBytes).toBe(134_515_008 * 4);
    expect(() => checkLmMemory(plan, 'wasm', long)).not.toThrow();
  });

  it('on WASM, fits Qwen2.5-0.5B at batch 1 x 128 with checkpointing, and says what to lower at 8 x 1,024', () => {
    // Qwen2.5-0.5B's shapes (tied): 494,032,768 parameters, 1.98 GB as float32; LoRA r=8 on q,v.
    const qwen = parseHfConfig(
      { model_type: 'qwen2', num_hidden_layers: 24, hidden_size: 896, num_attention_heads: 14, num_key_value_heads: 2, intermediate_size: 4864, vocab_size: 151936, max_position_embeddings: 32768, tie_word_embeddings: true },
      'config.json',
    );
    const small = { batch: 1, maxLength: 128, trainableParams: 540_672 };
    const plan = planLmMemory(qwen, 494_032_768, small, 'wasm', {});
    expect(plan.estimate.totalBytes).toBeLessThan(plan.budget!);
    expect(() => checkLmMemory(plan, 'wasm', small)).not.toThrow();
    const big = { ...small, batch: 8, maxLength: 1024 };
    expect(() => checkLmMemory(planLmMemory(qwen, 494_032_768, big, 'wasm', {}), 'wasm', big)).toThrow(/lower the batch size or the maximum length/);
  });

  it('counts the bytes the loaded weights hold: float16 storage halves the weights in the estimate', () => {
    const f32 = planLmMemory(smol, 134_515_008, run, 'webgpu', { deviceMemory: 8 });
    const f16 = planLmMemory(smol, 134_515_008, { ...run, weightBytes: 134_515_008 * 2 }, 'webgpu', { deviceMemory: 8 });
    expect(f16.estimate.weightBytes).toBe(134_515_008 * 2);
    expect(f32.estimate.totalBytes - f16.estimate.totalBytes).toBe(134_515_008 * 2);
  });

  it('leaves it off when the run fits, and where nothing is known about memory (no check)', () => {
    // SmolLM2 at batch 4 x 128 (the benchmark's step): about 2.4 GB with every block's activations kept.
    const fits = planLmMemory(smol, 134_515_008, run, 'wasm', {});
    expect(fits).toMatchObject({ auto: false, estimate: { checkpointing: false } });
    expect(fits.estimate.totalBytes).toBeLessThan(0.7 * fits.budget!);
    expect(planLmMemory(smol, 134_515_008, { ...run, batch: 1, maxLength: 32 }, 'wasm', {}).estimate.checkpointing).toBe(false);
    const unknown = planLmMemory(smol, 134_515_008, run, 'cpu', {});
    expect(unknown).toMatchObject({ budget: null, auto: false });
    expect(() => checkLmMemory(unknown, 'cpu', run)).not.toThrow();
  });

  it('refuses in one sentence with the numbers and what to lower when it cannot fit', () => {
    const off = { ...long, gradientCheckpointing: false };
    const plan = planLmMemory(smol, 134_515_008, off, 'wasm', {});
    expect(plan.estimate.checkpointing).toBe(false);
    let error: unknown;
    try {
      checkLmMemory(plan, 'wasm', off);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('out-of-memory');
    expect((error as EngineError).message).toMatch(/^This run needs about \d\.\d\d GB \(weights 538\.1 MB, activations .* at batch 4 x 512 tokens\) but the WASM backend can hold at most 3\.87 GB: turn on gradient checkpointing, or lower the batch size or the maximum length\.$/);
    // Even checkpointed, 32 x 1024 tokens do not fit: only the batch or the length can give.
    const huge = { ...run, batch: 32, maxLength: 1024 };
    expect(() => checkLmMemory(planLmMemory(smol, 134_515_008, huge, 'wasm', {}), 'wasm', huge)).toThrow(/with gradient checkpointing\) but the WASM backend can hold at most 3\.87 GB: lower the batch size or the maximum length\.$/);
  });

  it('plans a preference run as one: B pairs are 2B sequences, checkpointing decided from that, pairs named in the refusal', () => {
    // Batch 2 x 448 fits as a supervised run; as 2 pairs (4 sequences) it needs checkpointing.
    const pair = { ...run, batch: 2, maxLength: 448 };
    const sft = planLmMemory(smol, 134_515_008, pair, 'wasm', {});
    const dpo = planLmMemory(smol, 134_515_008, { ...pair, pairs: true }, 'wasm', {});
    expect(dpo.plainBytes).toBeGreaterThan(sft.plainBytes);
    // 2 pairs are 4 sequences through the blocks, as a supervised batch of 4, but a preference loss chunk peaks lower.
    const sft4 = planLmMemory(smol, 134_515_008, { ...pair, batch: 4 }, 'wasm', {});
    expect(dpo.plainBytes).toBeLessThan(sft4.plainBytes);
    expect(sft.auto).toBe(false);
    expect(dpo.auto).toBe(true);
    expect(dpo.estimate.referenceBytes).toBeGreaterThan(0);
    expect(dpo.estimate.referenceBytes).toBeLessThan(dpo.estimate.activationBytes + dpo.estimate.lossBytes);
    const huge = { ...run, batch: 16, maxLength: 1024, pairs: true };
    expect(() => checkLmMemory(planLmMemory(smol, 134_515_008, huge, 'wasm', {}), 'wasm', huge)).toThrow(/at batch 16 pairs \(chosen and rejected\) x 1024 tokens, with gradient checkpointing\) but the WASM backend/);
  });
});
