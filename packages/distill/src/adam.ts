/**
 * Adam (with optional decoupled weight decay, as AdamW) whose whole state is explicit: the
 * step count and the two moments. tfjs's own Adam keeps running products beta^t in float32
 * and, on `setWeights`, rebuilds them with pow, so a resumed run drifts in the last bits;
 * here the bias corrections come from the step count alone, so a resume is exact.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SavedTensor } from "./checkpoint.js";
import type { Optimizer } from "./optimizer.js";

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  /** tfjs's default, kept so that earlier runs' recipe is unchanged. */
  epsilon?: number;
  /** Decoupled weight decay (AdamW): each step subtracts learningRate * weightDecay * w. */
  weightDecay?: number;
}

export class Adam implements Optimizer {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  /** Updates applied so far. */
  step = 0;

  constructor(private readonly variables: readonly tf.Variable[], options: AdamOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.weightDecay >= 0)) throw new Error(`weight decay must be >= 0, got ${this.weightDecay}`);
    // In a tidy so that the zero tensors the moments start from are freed (the variables stay).
    this.m = tf.tidy(() => variables.map((w) => tf.variable(tf.zerosLike(w), false)));
    this.v = tf.tidy(() => variables.map((w) => tf.variable(tf.zerosLike(w), false)));
  }

  /** One update with these gradients (one per variable, same order) at this learning rate. */
  apply(gradients: readonly tf.Tensor[], learningRate: number): void {
    if (gradients.length !== this.variables.length) throw new Error(`Adam: ${gradients.length} gradients for ${this.variables.length} variables`);
    this.step++;
    const correction1 = 1 - Math.pow(this.beta1, this.step);
    const correction2 = 1 - Math.pow(this.beta2, this.step);
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        const g = gradients[i];
        const m = tf.add(tf.mul(this.m[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon));
        let next = tf.sub(w, tf.mul(update, learningRate));
        if (this.weightDecay > 0) next = tf.sub(next, tf.mul(w, learningRate * this.weightDecay));
        w.assign(next);
      });
    });
  }

  /** The moments, for a checkpoint (the step count is saved beside them). */
  saveSlots(): SavedTensor[] {
    const save = (list: tf.Variable[], kind: string) =>
      list.map((t, i) => ({ name: `${kind}/${i}`, shape: t.shape, values: Float32Array.from(t.dataSync()) }));
    return [...save(this.m, "m"), ...save(this.v, "v")];
  }

  restore(step: number, slots: readonly SavedTensor[]): void {
    const n = this.variables.length;
    if (slots.length !== 2 * n) throw new Error(`Adam: checkpoint holds ${slots.length} slots, expected ${2 * n}`);
    slots.forEach((slot, k) => {
      const target = k < n ? this.m[k] : this.v[k - n];
      if (slot.values.length !== target.size) throw new Error(`Adam: slot ${slot.name} holds ${slot.values.length} values, expected ${target.size}`);
      target.assign(tf.tensor(slot.values, target.shape));
    });
    this.step = step;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
