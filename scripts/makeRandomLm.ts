/**
 * `npx tsx scripts/makeRandomLm.ts --out DIR [--layers 30 --hidden 576 --heads 9 --kv-heads 3
 * --intermediate 1536 --vocab 49152]`: a Hugging Face llama folder with SmolLM2-135M's shapes (tied
 * embeddings, as the real model) and seeded random weights (normal * 0.02, norms at 1), with the tiny
 * fixture's tokenizer (its ids are all below any vocabulary size). For memory and speed measurements
 * of real model sizes without a download; `--text N` also writes N lines of plain text to DIR/text.txt.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../src/data/rng.ts';
import { writeSafetensors, type TensorToWrite } from '../src/export/safetensors.ts';
import { parseHfConfig } from '../src/models/hf/hfConfig.ts';
import { expectedHfTensors } from '../src/models/hf/hfLayout.ts';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const outIndex = argv.indexOf('--out');
if (outIndex < 0 || !argv[outIndex + 1]) throw new Error('give --out DIR');
const out = argv[outIndex + 1]!;

const raw = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  num_hidden_layers: opt('layers', 30),
  hidden_size: opt('hidden', 576),
  num_attention_heads: opt('heads', 9),
  num_key_value_heads: opt('kv-heads', 3),
  intermediate_size: opt('intermediate', 1536),
  vocab_size: opt('vocab', 49152),
  max_position_embeddings: 2048,
  rms_norm_eps: 1e-5,
  rope_theta: 100000,
  tie_word_embeddings: true,
  bos_token_id: 1,
  eos_token_id: 2,
  torch_dtype: 'float32',
};
const config = parseHfConfig(raw, 'config.json');
const rng = createRng(1);
const tensors: Record<string, TensorToWrite> = {};
for (const [name, shape] of expectedHfTensors(config)) {
  const size = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(size);
  if (name.endsWith('norm.weight')) data.fill(1);
  else
    for (let i = 0; i < size; i += 2) {
      // Box-Muller: two normals per pair of uniforms.
      const r = Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-12))) * 0.02;
      const a = 2 * Math.PI * rng();
      data[i] = r * Math.cos(a);
      if (i + 1 < size) data[i + 1] = r * Math.sin(a);
    }
  tensors[name] = { dtype: 'F32', shape, data };
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'config.json'), JSON.stringify(raw, null, 2));
writeFileSync(join(out, 'model.safetensors'), writeSafetensors(tensors, { format: 'pt' }));
const tiny = 'fixtures/hf-tiny/tiny-llama/base';
for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(tiny, f), join(out, f));
const lines = opt('text', 0);
if (lines > 0) {
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'said', 'hello', 'to', 'frog', 'green', 'blue', 'sky'];
  const text = Array.from({ length: lines }, () => Array.from({ length: 24 }, () => words[Math.floor(rng() * words.length)]).join(' ') + '.').join('\n');
  writeFileSync(join(out, 'text.txt'), text + '\n');
}
console.log(`wrote ${out}: ${Object.keys(tensors).length} tensors`);
