/**
 * A small MLP built for a table's encoded features. Tables have no pre-trained models to borrow, so
 * the studio offers this seeded network: its hidden layers become the base (train them, or attach
 * LoRA), its last layer is the head that is replaced for the label's classes (or one regression output).
 */
import { EngineError } from '../errors.ts';
import { tf, type LayersModel } from '../tf.ts';

export interface TabularMlpSpec {
  /** Encoded features per row. */
  inputs: number;
  /** Hidden widths, e.g. [64, 32]. */
  hidden: number[];
  seed: number;
}

export const DEFAULT_MLP_HIDDEN = [64, 32];

/** Dense(relu) per hidden width, then a placeholder Dense(1) output that the new head replaces. */
export function createTabularMlp(spec: TabularMlpSpec): LayersModel {
  if (!(spec.inputs > 0) || spec.hidden.length === 0 || spec.hidden.some((w) => !Number.isInteger(w) || w < 1 || w > 4096)) {
    throw new EngineError('bad-config', `An MLP needs at least one input and hidden widths between 1 and 4096 (got ${spec.inputs} inputs, [${spec.hidden.join(', ')}]).`);
  }
  const model = tf.sequential({ name: 'tabular_mlp' });
  spec.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        name: `dense_${i + 1}`,
        units,
        activation: 'relu',
        ...(i === 0 ? { inputShape: [spec.inputs] } : {}),
        // He initialisation suits relu; seeded per layer so one spec always gives one network.
        kernelInitializer: tf.initializers.heNormal({ seed: spec.seed + i }),
      }),
    );
  });
  model.add(tf.layers.dense({ name: 'output', units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: spec.seed + 99 }) }));
  return model;
}
