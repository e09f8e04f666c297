/**
 * Batch normalisation over the channel axis of NHWC activations, with the same weights,
 * defaults and inference as tfjs-layers' BatchNormalization (gamma, beta, moving_mean,
 * moving_variance; momentum 0.99), and a training step that is cheap on tfjs-backend-wasm.
 * tfjs-layers trains through tf.moments and the FusedBatchNorm gradient, which tiles
 * 1/sqrt(variance) to the activation's full size and transposes for every mean: on dsnet
 * that was 1.3 s of a 2.8 s step (batch 64). Here the batch statistics and the gradient are
 * per-channel sums over rows (one reduction kernel) and a few broadcast passes, or, where the
 * backend registers them, two fused kernels (below; @microexp/distill's for wasm):
 *   y = gamma * xhat + beta,  xhat = (x - mean) / sqrt(var + eps)
 *   dx = gamma / sqrt(var + eps) * (dy - mean(dy) - xhat * mean(dy * xhat))
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

type LayerArgs = ConstructorParameters<typeof tfl.layers.Layer>[0];

export interface BatchNormArgs {
  name?: string;
  momentum?: number;
  epsilon?: number;
}

/**
 * Kernels a backend may register to run a training batch's normalisation in one pass each way
 * (@microexp/distill does for wasm); where both are missing, the ops above do it.
 *   BATCH_NORM_TRAINING_KERNEL: inputs { x, gamma, beta }, attrs { epsilon }
 *     -> [y, mean, variance, invStd] (variance biased; invStd = 1 / sqrt(variance + epsilon))
 *   BATCH_NORM_GRAD_KERNEL: inputs { dy, x, mean, invStd, gamma } -> [dx, dGamma, dBeta]
 */
export const BATCH_NORM_TRAINING_KERNEL = "MicroexpBatchNormTraining";
export const BATCH_NORM_GRAD_KERNEL = "MicroexpBatchNormGrad";

function fusedKernelsRegistered(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(BATCH_NORM_TRAINING_KERNEL, backend) !== undefined && tf.getKernel(BATCH_NORM_GRAD_KERNEL, backend) !== undefined;
}

/** Normalised activations of a training batch, with gradients for x, gamma and beta. */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (fusedKernelsRegistered()) return fusedBatchNormTraining(x, gamma, beta, epsilon);
  const channels = x.shape[x.shape.length - 1];
  const rows = x.size / channels;
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const normalise = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, scale, offset, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const m = tf.div(tf.sum(input, axes), rows) as tf.Tensor1D;
    const centred = tf.sub(input, m);
    const v = tf.div(tf.sum(tf.square(centred), axes), rows) as tf.Tensor1D;
    const invStd = tf.rsqrt(tf.add(v, epsilon)) as tf.Tensor1D;
    const xhat = tf.mul(centred, invStd);
    save([xhat, invStd, scale]);
    mean = tf.keep(m);
    variance = tf.keep(v);
    return {
      value: tf.add(tf.mul(xhat, scale), offset),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, inv, g] = saved;
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.sum(tf.mul(dy, xh), axes);
        const inner = tf.sub(tf.sub(dy, tf.div(dBeta, rows)), tf.mul(xh, tf.div(dGamma, rows)));
        return [tf.mul(inner, tf.mul(g, inv)), dGamma, dBeta];
      },
    };
  });
  const y = normalise(x, gamma, beta);
  return { y, mean: mean!, variance: variance! };
}

function fusedBatchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const normalise = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, scale, offset, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, m, v, invStd] = tf.engine().runKernel(BATCH_NORM_TRAINING_KERNEL, { x: input, gamma: scale, beta: offset }, { epsilon }) as tf.Tensor[];
    save([input, m, invStd, scale]);
    mean = tf.keep(m as tf.Tensor1D);
    variance = tf.keep(v as tf.Tensor1D);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, mm, inv, g] = saved;
        return tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { dy, x: xs, mean: mm, invStd: inv, gamma: g }, {}) as tf.Tensor[];
      },
    };
  });
  const y = normalise(x, gamma, beta);
  return { y, mean: mean!, variance: variance! };
}

export class BatchNorm extends tfl.layers.Layer {
  static readonly className = "BatchNorm";
  readonly momentum: number;
  readonly epsilon: number;
  private gamma?: tfl.LayerVariable;
  private beta?: tfl.LayerVariable;
  private movingMean?: tfl.LayerVariable;
  private movingVariance?: tfl.LayerVariable;

  constructor(args: BatchNormArgs = {}) {
    super(args as LayerArgs);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1];
    if (channels === null) throw new Error(`${this.name}: the channel axis of input shape [${shape.join(",")}] must be known`);
    this.gamma = this.addWeight("gamma", [channels], "float32", tfl.initializers.ones(), undefined, true);
    this.beta = this.addWeight("beta", [channels], "float32", tfl.initializers.zeros(), undefined, true);
    this.movingMean = this.addWeight("moving_mean", [channels], "float32", tfl.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight("moving_variance", [channels], "float32", tfl.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const [gamma, beta, movingMean, movingVariance] = [this.gamma, this.beta, this.movingMean, this.movingVariance].map((v) => {
      if (!v) throw new Error(`${this.name}: called before it was built`);
      return v;
    });
    if (kwargs.training !== true) {
      return tf.batchNorm(x, movingMean.read(), movingVariance.read(), beta.read(), gamma.read(), this.epsilon);
    }
    const { y, mean, variance } = batchNormTraining(x, gamma.read() as tf.Tensor1D, beta.read() as tf.Tensor1D, this.epsilon);
    // Moving averages as tfjs-layers keeps them (its variance is the biased batch variance too).
    tf.tidy(() => {
      movingMean.write(tf.sub(movingMean.read(), tf.mul(tf.sub(movingMean.read(), mean), 1 - this.momentum)));
      movingVariance.write(tf.sub(movingVariance.read(), tf.mul(tf.sub(movingVariance.read(), variance), 1 - this.momentum)));
    });
    tf.dispose([mean, variance]);
    return y;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(BatchNorm);
