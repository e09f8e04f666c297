/**
 * The loss and gradients of one share of a batch. The main thread and every gradient worker
 * run this on their share; scaled by share size / batch size, the shares' gradients add up
 * to the gradient of the whole batch's mean loss.
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { INPUT_SIZE } from "@microexp/infer";
import { CROP_PIXELS } from "./crop-set.js";
import type { DistillationOptions } from "./losses.js";
import { distillationLoss, labelLoss, targetLoss } from "./losses.js";
import type { BatchBuffers } from "./samples.js";
import type { ModelRunner } from "./evaluate.js";

export interface LossSetup {
  classes: number;
  /** Label term against target distributions (smoothing, soft targets) rather than labels. */
  useTargets: boolean;
  /** KD loss against the teacher's logits (in the batch's `teacher` buffer). */
  distillation?: DistillationOptions;
}

export interface ShareGradients {
  /** The share's mean loss times its weight. */
  loss: number;
  /** One per variable, in the variables' order; the caller disposes them. */
  gradients: tf.Tensor[];
}

export function shareGradients(model: tfl.LayersModel, variables: readonly tf.Variable[], batch: BatchBuffers, n: number, weight: number, setup: LossSetup): ShareGradients {
  const k = setup.classes;
  const { value, grads } = tf.variableGrads(() => {
    const x = tf.tensor4d(batch.input.subarray(0, n * CROP_PIXELS), [n, INPUT_SIZE, INPUT_SIZE, 1]);
    const logits = model.apply(x, { training: true }) as tf.Tensor2D;
    const truth = setup.useTargets ? tf.tensor2d(batch.targets.subarray(0, n * k), [n, k]) : tf.tensor1d(batch.labels.subarray(0, n), "int32");
    const loss = setup.distillation
      ? distillationLoss(logits, tf.tensor2d(batch.teacher.subarray(0, n * k), [n, k]), truth, setup.distillation)
      : truth.rank === 2 ? targetLoss(logits, truth as tf.Tensor2D) : labelLoss(logits, truth as tf.Tensor1D);
    return tf.mul(loss, weight) as tf.Scalar;
  }, variables as tf.Variable[]);
  const loss = value.dataSync()[0];
  value.dispose();
  return { loss, gradients: variables.map((v) => grads[v.name]) };
}

/**
 * Makes the model's dropout masks a function of `seed`: tfjs-layers' Dropout passes its
 * `seed` field to tf.dropout on every call, and an unseeded one draws from Math.random. Set
 * before each step (from the run's seed, the step and the share), a seed fixes the result.
 */
export function seedDropout(model: tfl.LayersModel, seed: number): void {
  let index = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== "Dropout") continue;
    (layer as unknown as { seed?: number }).seed = (seed + 7919 * index++) >>> 0;
  }
}

/** An online teacher's logits on the batch's first `n` inputs (as augmented), into its teacher buffer. */
export function teacherLogitsInto(teacher: ModelRunner, batch: BatchBuffers, n: number): void {
  batch.teacher.set(teacher.logits(batch.input, n));
}
