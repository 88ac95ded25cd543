import { tf, type Tensor, type Variable } from '../tf.ts';

export interface AdamWOptions {
  learningRate: number;
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** AdamW's state as plain data: the step counter and the moments, in the order of the params. */
export interface AdamWState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export interface AdamWParam {
  variable: Variable;
  /** Biases and norms are conventionally exempt from weight decay. */
  decay: boolean;
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, as torch.optim.AdamW does it:
 *   w <- w - lr * wd * w
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   w <- w - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * TF.js ships Adam only, whose L2-style decay would be rescaled by the adaptive step.
 * The moments are plain variables so a checkpoint can save and restore them.
 */
export class AdamW {
  readonly options: Required<AdamWOptions>;
  step = 0;
  private readonly moments = new Map<Variable, { m: Variable; v: Variable }>();

  constructor(private readonly params: AdamWParam[], options: AdamWOptions) {
    this.options = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, ...options };
    for (const { variable } of params) {
      // tidy disposes the zero tensors the variables were created from; variables themselves survive it.
      this.moments.set(
        variable,
        tf.tidy(() => ({
          m: tf.variable(tf.zerosLike(variable), false),
          v: tf.variable(tf.zerosLike(variable), false),
        })),
      );
    }
  }

  get variables(): Variable[] {
    return this.params.map((p) => p.variable);
  }

  /** Applies one update; `grads` maps variable name to its gradient (as tf.variableGrads returns). */
  apply(grads: Record<string, Tensor>, learningRate = this.options.learningRate): void {
    this.step += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      for (const { variable, decay } of this.params) {
        const g = grads[variable.name];
        if (!g) continue;
        const state = this.moments.get(variable);
        if (!state) continue;
        const m = state.m.mul(beta1).add(g.mul(1 - beta1));
        const v = state.v.mul(beta2).add(g.square().mul(1 - beta2));
        state.m.assign(m);
        state.v.assign(v);
        const decayed = decay && weightDecay > 0 ? variable.mul(1 - learningRate * weightDecay) : variable;
        const update = m.div(c1).div(v.div(c2).sqrt().add(epsilon)).mul(learningRate);
        variable.assign(decayed.sub(update));
      }
    });
  }

  /** Step counter and moments as plain numbers, in the order of the params (read with .data(), never dataSync). */
  async exportState(): Promise<AdamWState> {
    const pairs = this.params.map((p) => this.moments.get(p.variable)!);
    const [m, v] = await Promise.all([
      Promise.all(pairs.map((s) => s.m.data() as Promise<Float32Array>)),
      Promise.all(pairs.map((s) => s.v.data() as Promise<Float32Array>)),
    ]);
    return { step: this.step, m: m.map((a) => Float32Array.from(a)), v: v.map((a) => Float32Array.from(a)) };
  }

  /** Puts back a state from exportState (same params, same order and sizes). */
  importState(state: AdamWState): void {
    if (state.m.length !== this.params.length || state.v.length !== this.params.length) {
      throw new Error(`The optimizer state has ${state.m.length} parameters; this run has ${this.params.length}.`);
    }
    this.params.forEach((p, i) => {
      const s = this.moments.get(p.variable)!;
      const m = state.m[i]!;
      const v = state.v[i]!;
      if (m.length !== p.variable.size || v.length !== p.variable.size) {
        throw new Error(`The optimizer state of parameter ${i} has ${m.length} values; ${p.variable.name} has ${p.variable.size}.`);
      }
      tf.tidy(() => {
        s.m.assign(tf.tensor(m, p.variable.shape, 'float32'));
        s.v.assign(tf.tensor(v, p.variable.shape, 'float32'));
      });
    });
    this.step = state.step;
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
  }
}
