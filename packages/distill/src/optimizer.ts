/** The optimizers a run can train with: Adam (the paper's; AdamW with weight decay) or SGD with momentum. */
import type * as tf from "@tensorflow/tfjs-core";
import type { SavedTensor } from "./checkpoint.js";
import { Adam } from "./adam.js";
import { Sgd } from "./sgd.js";

export type OptimizerOptions = { kind: "adam" } | { kind: "sgd"; momentum?: number; nesterov?: boolean };

export const OPTIMIZER_KINDS = ["adam", "sgd"] as const;

/** An optimizer whose whole state is its step count and its slots, so that a checkpoint resumes it exactly. */
export interface Optimizer {
  /** Updates applied so far. */
  step: number;
  /** One update with these gradients (one per variable, same order) at this learning rate. */
  apply(gradients: readonly tf.Tensor[], learningRate: number): void;
  /** The slots (moments, velocities) for a checkpoint; the step count is saved beside them. */
  saveSlots(): SavedTensor[];
  restore(step: number, slots: readonly SavedTensor[]): void;
  dispose(): void;
}

export function createOptimizer(variables: readonly tf.Variable[], options: OptimizerOptions, weightDecay: number): Optimizer {
  switch (options.kind) {
    case "adam":
      return new Adam(variables, { weightDecay });
    case "sgd":
      return new Sgd(variables, { weightDecay, ...(options.momentum !== undefined ? { momentum: options.momentum } : {}), ...(options.nesterov !== undefined ? { nesterov: options.nesterov } : {}) });
    default:
      throw new Error(`unknown optimizer ${JSON.stringify((options as { kind: unknown }).kind)}; known: ${OPTIMIZER_KINDS.join(", ")}`);
  }
}
