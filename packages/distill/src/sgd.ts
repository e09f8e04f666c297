/**
 * SGD with momentum (Nesterov's by default) and optional decoupled weight decay, its whole
 * state explicit (the velocities; the step count is kept for the trainer), so that a resume
 * is exact. The update, per variable, with gradient g, momentum mu and rate lr:
 *   v = mu * v + g;   w -= lr * (nesterov ? g + mu * v : v);   w -= lr * weightDecay * w
 * (PyTorch's form; FER2013 recipes for CNNs train with it, e.g. Khaireddin & Chen 2021).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SavedTensor } from "./checkpoint.js";
import type { Optimizer } from "./optimizer.js";

export interface SgdOptions {
  /** Default 0.9. */
  momentum?: number;
  /** Nesterov's momentum (default true). */
  nesterov?: boolean;
  /** Decoupled weight decay: each step subtracts learningRate * weightDecay * w. */
  weightDecay?: number;
}

export class Sgd implements Optimizer {
  private readonly momentum: number;
  private readonly nesterov: boolean;
  private readonly weightDecay: number;
  private readonly velocity: tf.Variable[];
  /** Updates applied so far. */
  step = 0;

  constructor(private readonly variables: readonly tf.Variable[], options: SgdOptions = {}) {
    this.momentum = options.momentum ?? 0.9;
    this.nesterov = options.nesterov ?? true;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new Error(`SGD momentum must be in [0, 1), got ${this.momentum}`);
    if (!(this.weightDecay >= 0)) throw new Error(`weight decay must be >= 0, got ${this.weightDecay}`);
    this.velocity = tf.tidy(() => variables.map((w) => tf.variable(tf.zerosLike(w), false)));
  }

  apply(gradients: readonly tf.Tensor[], learningRate: number): void {
    if (gradients.length !== this.variables.length) throw new Error(`SGD: ${gradients.length} gradients for ${this.variables.length} variables`);
    this.step++;
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        const g = gradients[i];
        const v = tf.add(tf.mul(this.velocity[i], this.momentum), g);
        this.velocity[i].assign(v);
        const direction = this.nesterov ? tf.add(g, tf.mul(v, this.momentum)) : v;
        let next = tf.sub(w, tf.mul(direction, learningRate));
        if (this.weightDecay > 0) next = tf.sub(next, tf.mul(w, learningRate * this.weightDecay));
        w.assign(next);
      });
    });
  }

  saveSlots(): SavedTensor[] {
    return this.velocity.map((t, i) => ({ name: `velocity/${i}`, shape: t.shape, values: Float32Array.from(t.dataSync()) }));
  }

  restore(step: number, slots: readonly SavedTensor[]): void {
    if (slots.length !== this.velocity.length) throw new Error(`SGD: checkpoint holds ${slots.length} slots, expected ${this.velocity.length}`);
    slots.forEach((slot, k) => {
      if (slot.values.length !== this.velocity[k].size) throw new Error(`SGD: slot ${slot.name} holds ${slot.values.length} values, expected ${this.velocity[k].size}`);
      this.velocity[k].assign(tf.tensor(slot.values, this.velocity[k].shape));
    });
    this.step = step;
  }

  dispose(): void {
    tf.dispose(this.velocity);
  }
}
