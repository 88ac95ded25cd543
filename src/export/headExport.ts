import type { ExportedWeights, TrainPlan, TrainConfig, TrainResult } from '../api.ts';
import { outputSize, type TrainingSet } from '../data/trainingSet.ts';
import type { BaseModel } from '../models/baseModel.ts';
import { writeSafetensors } from './safetensors.ts';

export interface HeadExportInput {
  base: BaseModel;
  dataset: TrainingSet;
  plan: TrainPlan;
  /** Head weights as trained, Keras layout: kernel [F, K], bias [K]. */
  kernel: Float32Array;
  bias: Float32Array;
  config: TrainConfig;
  result: TrainResult;
  backend: string;
  createdAt: Date;
}

/** Keras [F, K] -> PyTorch nn.Linear [K, F], so `torch.nn.Linear(F, K).load_state_dict` takes it as is. */
export function transpose(kernel: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = kernel[r * cols + c] ?? 0;
  return out;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'run';
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(bytes));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The trained head as `head.weight` [K, F] + `head.bias` [K] in safetensors (PyTorch naming and layout,
 * `__metadata__.format = "pt"`), and a JSON manifest that says what base it sits on, how images are
 * fed, which layers were frozen, the classes in order, and how it was trained.
 */
export async function exportHead(input: HeadExportInput): Promise<ExportedWeights> {
  const { base, dataset } = input;
  const F = base.summary.featureSize;
  const K = outputSize(dataset);
  const safetensors = writeSafetensors(
    {
      'head.weight': { dtype: 'F32', shape: [K, F], data: transpose(input.kernel, F, K) },
      'head.bias': { dtype: 'F32', shape: [K], data: input.bias },
    },
    { format: 'pt' },
  );
  const stem = `tabtune-${slug(base.summary.name)}-${slug(dataset.name)}`;
  const weightsName = `${stem}.safetensors`;
  const last = input.result.evals.at(-1);
  const manifest = {
    format: 'tabtune-classifier',
    version: 1,
    createdAt: input.createdAt.toISOString(),
    weights: { file: weightsName, sha256: await sha256Hex(safetensors), bytes: safetensors.byteLength },
    baseModel: {
      name: base.summary.name,
      url: base.url,
      inputShape: base.summary.inputShape,
      featureLayer: base.summary.featureLayer,
      featureSize: F,
      totalParams: base.summary.totalParams,
    },
    preprocessing: dataset.tabular
      ? {
          kind: 'table',
          // Everything needed to encode a raw row: numeric columns standardised with training statistics,
          // categories one-hot in this order, and (regression) the target's scale.
          encoder: dataset.tabular.encoder,
        }
      : {
          kind: 'image',
          crop: 'centre square',
          resize: [base.summary.inputShape[0], base.summary.inputShape[1]],
          channels: 'RGB, alpha composited on white',
          pixelScale: base.pixelScale,
        },
    plan: {
      kind: Object.values(input.plan).every((m) => m.kind === 'frozen') ? 'head-only' : 'layer-plan',
      layers: Object.fromEntries(base.summary.layers.map((l) => [l.name, input.plan[l.name] ?? { kind: 'frozen' }])),
      frozen: base.summary.layers.filter((l) => (input.plan[l.name]?.kind ?? 'frozen') === 'frozen').map((l) => l.name),
      trained: ['head', ...base.summary.layers.filter((l) => input.plan[l.name]?.kind === 'full').map((l) => l.name)],
      lora: base.summary.layers.filter((l) => input.plan[l.name]?.kind === 'lora').map((l) => l.name),
      head: {
        type: 'linear',
        in: F,
        out: K,
        activation: dataset.task === 'regression' ? 'none: output * target std + target mean' : 'softmax',
        tensors: { 'head.weight': [K, F], 'head.bias': [K] },
        layout: 'PyTorch nn.Linear: logits = features @ head.weight.T + head.bias',
      },
    },
    task: dataset.task,
    classes: dataset.classes,
    dataset: dataset.tabular
      ? {
          name: dataset.name,
          kind: 'table',
          rows: dataset.tabular.summary.total,
          labelColumn: dataset.tabular.summary.labelColumn,
          validationFraction: dataset.tabular.summary.validationFraction,
          splitSeed: dataset.tabular.summary.seed,
          perClass: dataset.tabular.summary.classes,
        }
      : {
          name: dataset.name,
          kind: 'images',
          images: dataset.image!.summary.total,
          validationFraction: dataset.image!.summary.validationFraction,
          splitSeed: dataset.image!.summary.seed,
          perClass: dataset.image!.summary.classes,
        },
    training: {
      optimizer: 'AdamW',
      ...input.config,
      backend: input.backend,
      steps: input.result.steps,
      state: input.result.state,
      finalTrainLoss: input.result.finalLoss,
      validationLoss: last?.validationLoss ?? null,
      validationAccuracy: last?.validationAccuracy ?? null,
      validationRmse: last?.validationRmse ?? null,
    },
  };
  return { weightsName, manifestName: `${stem}.json`, safetensors, manifestJson: JSON.stringify(manifest, null, 2) };
}
