/**
 * The paper's losses. Vanilla students minimise cross-entropy with the labels; distilled
 * students minimise L = lambda * CE(softmax(z_t / T), softmax(z_s / T)) + (1 - lambda) * CE(y, softmax(z_s)),
 * averaged over the batch, without the T^2 factor of Hinton et al. unless asked for.
 */
import * as tf from "@tensorflow/tfjs-core";

export interface DistillationOptions {
  /** Softmax temperature T (paper default 8). */
  temperature: number;
  /** Weight of the soft (teacher) term (paper default 0.5). */
  lambda: number;
  /** Multiply the soft term by T^2, as Hinton et al. do (off in the paper). */
  scaleByTemperatureSquared?: boolean;
}

/** Mean cross-entropy between target distributions and softmax(logits). */
function crossEntropy(targets: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/** Mean cross-entropy of integer labels (one-hot) against the logits. */
export function labelLoss(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => crossEntropy(tf.cast(tf.oneHot(labels, logits.shape[1]), "float32") as tf.Tensor2D, logits));
}

/** Mean cross-entropy of target distributions (smoothed labels, crowd votes) against the logits. */
export function targetLoss(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => crossEntropy(targets, logits));
}

/** `labels` are class indices, or target distributions [batch, classes] for the label term. */
export function distillationLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, labels: tf.Tensor1D | tf.Tensor2D, options: DistillationOptions): tf.Scalar {
  const { temperature: T, lambda } = options;
  if (!(T > 0)) throw new Error(`temperature must be > 0, got ${T}`);
  if (!(lambda >= 0 && lambda <= 1)) throw new Error(`lambda must be in [0, 1], got ${lambda}`);
  return tf.tidy(() => {
    const soft = crossEntropy(tf.softmax(tf.div(teacherLogits, T)) as tf.Tensor2D, tf.div(studentLogits, T) as tf.Tensor2D);
    const scaledSoft = options.scaleByTemperatureSquared ? tf.mul(soft, T * T) : soft;
    const hard = labels.rank === 2 ? targetLoss(studentLogits, labels as tf.Tensor2D) : labelLoss(studentLogits, labels as tf.Tensor1D);
    return tf.add(tf.mul(scaledSoft, lambda), tf.mul(hard, 1 - lambda)) as tf.Scalar;
  });
}
