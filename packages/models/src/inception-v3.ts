/**
 * Inception v3, the paper's (v3/v4) teacher, as a tfjs-layers model: the architecture of
 * Keras' `keras.applications.InceptionV3` without its top (stem, mixed0..mixed10), then
 * global average pooling, dropout and a Dense logits layer. Layers carry Keras 2's
 * automatic names (conv2d_1..conv2d_94, batch_normalization_1..94, activation_1..94,
 * mixed0..mixed10) so that ImageNet weights converted from Keras map onto it by name.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

export interface InceptionV3Options {
  /** Size of the logits layer (no softmax: the output is logits). */
  numClasses: number;
  /** Square input side, >= 75 (Keras' minimum); default 299. */
  inputSize?: number;
  /** 1 = grayscale faces (the students' input); 3 = RGB (ImageNet). Default 3. */
  channels?: 1 | 3;
  /** Seeds every initializer, so a seed fixes the initial weights. */
  seed?: number;
  /** Dropout rate before the logits layer; default 0.5 (fine-tuning head). */
  dropout?: number;
  /** Raw 0..255 input is scaled to [-1, 1] inside the model (Keras' inception preprocess_input), default true. */
  preprocess?: boolean;
}

/** Keras refuses Inception v3 inputs smaller than this (the last reduction needs 3x3 cells). */
export const INCEPTION_V3_MIN_INPUT_SIZE = 75;

/** Names of our classification head, which ImageNet weights never cover. */
export const INCEPTION_V3_HEAD_LAYERS = { pooling: "avg_pool", dropout: "dropout", logits: "logits" } as const;

/** The first convolution, whose RGB kernel is summed to one channel for grayscale input. */
const FIRST_CONV = "conv2d_1";

/** The classifier of Keras' include_top=True model: replaced by our head, so never copied. */
const KERAS_TOP_LAYERS = new Set(["predictions", INCEPTION_V3_HEAD_LAYERS.logits]);

type Padding = "same" | "valid";
type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * Keras' BatchNormalization(scale=False) over the channel (last) axis: beta, moving mean and
 * moving variance, no gamma. tfjs-layers' own layer cannot train without a scale (it reads the
 * missing gamma: tensorflow/tfjs#2868), so training normalises with plain ops instead, whose
 * gradients every backend has. Weights and their order match Keras', for the name-based copy.
 */
export class ScaleFreeBatchNormalization extends tfl.layers.Layer {
  static readonly className = "ScaleFreeBatchNormalization";
  private readonly momentum: number;
  private readonly epsilon: number;
  private beta?: tfl.LayerVariable;
  private movingMean?: tfl.LayerVariable;
  private movingVariance?: tfl.LayerVariable;

  constructor(args: LayerArgs & { momentum?: number; epsilon?: number } = {}) {
    super(args);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1];
    if (channels === null) throw new Error(`${this.name}: the channel axis of input shape [${shape.join(",")}] must be known`);
    this.beta = this.addWeight("beta", [channels], "float32", tfl.initializers.zeros(), undefined, true);
    this.movingMean = this.addWeight("moving_mean", [channels], "float32", tfl.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight("moving_variance", [channels], "float32", tfl.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [beta, movingMean, movingVariance] = [this.beta, this.movingMean, this.movingVariance].map((v) => {
        if (!v) throw new Error(`${this.name}: called before it was built`);
        return v;
      });
      if (kwargs.training !== true) {
        // x * k + (beta - mean * k), k = 1 / sqrt(variance + epsilon). Not tf.batchNorm: its
        // gradient fails without a scale, and inference-mode gradients have uses (frozen BN).
        const k = tf.rsqrt(tf.add(movingVariance.read(), this.epsilon));
        return tf.add(tf.mul(x, k), tf.sub(beta.read(), tf.mul(movingMean.read(), k)));
      }
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      // Keras moves the variance towards its unbiased estimate.
      const count = x.size / x.shape[x.rank - 1];
      const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
      for (const [variable, batchValue] of [[movingMean, mean], [movingVariance, unbiased]] as const) {
        const old = variable.read();
        variable.write(tf.add(tf.mul(old, this.momentum), tf.mul(batchValue, 1 - this.momentum)));
      }
      return tf.add(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon))), beta.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(ScaleFreeBatchNormalization);

function validateOptions(options: InceptionV3Options): Required<Omit<InceptionV3Options, "seed">> & { seed?: number } {
  const { numClasses, inputSize = 299, channels = 3, dropout = 0.5, preprocess = true, seed } = options;
  const fail = (problem: string) => {
    throw new Error(`buildInceptionV3: ${problem}`);
  };
  if (!Number.isInteger(numClasses) || numClasses < 1) fail(`numClasses must be a positive integer, got ${numClasses}`);
  if (!Number.isInteger(inputSize) || inputSize < INCEPTION_V3_MIN_INPUT_SIZE) {
    fail(`inputSize must be an integer >= ${INCEPTION_V3_MIN_INPUT_SIZE} (Keras' minimum for Inception v3), got ${inputSize}`);
  }
  if (channels !== 1 && channels !== 3) fail(`channels must be 1 (grayscale) or 3 (RGB), got ${String(channels)}`);
  if (!(dropout >= 0 && dropout < 1)) fail(`dropout must be a rate in [0, 1), got ${dropout}`);
  if (seed !== undefined && !Number.isFinite(seed)) fail(`seed must be a finite number, got ${seed}`);
  return { numClasses, inputSize, channels, dropout, preprocess, seed };
}

/** Inception v3 (Keras' architecture and layer names) with a GAP -> dropout -> Dense logits head. */
export function buildInceptionV3(options: InceptionV3Options): tfl.LayersModel {
  const { numClasses, inputSize, channels, dropout, preprocess, seed } = validateOptions(options);

  // Keras numbers its automatic names per layer type in creation order; so do we.
  const counters = new Map<string, number>();
  const nextName = (type: string) => {
    const n = (counters.get(type) ?? 0) + 1;
    counters.set(type, n);
    return `${type}_${n}`;
  };
  let initIndex = 0;
  const glorot = () => tfl.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed * 1000 + initIndex++ });

  /** Conv2D without bias + BatchNormalization(scale=False) + ReLU: Keras' conv2d_bn. */
  const convBn = (x: tfl.SymbolicTensor, filters: number, rows: number, cols: number, padding: Padding = "same", stride = 1) => {
    const conv = tfl.layers.conv2d({
      name: nextName("conv2d"), filters, kernelSize: [rows, cols], strides: stride, padding, useBias: false, kernelInitializer: glorot(),
    });
    const bn = new ScaleFreeBatchNormalization({ name: nextName("batch_normalization"), epsilon: 1e-3, momentum: 0.99 });
    const relu = tfl.layers.activation({ name: nextName("activation"), activation: "relu" });
    return relu.apply(bn.apply(conv.apply(x))) as tfl.SymbolicTensor;
  };
  const maxPool = (x: tfl.SymbolicTensor) =>
    tfl.layers.maxPooling2d({ name: nextName("max_pooling2d"), poolSize: 3, strides: 2, padding: "valid" }).apply(x) as tfl.SymbolicTensor;
  const avgPool = (x: tfl.SymbolicTensor) =>
    tfl.layers.averagePooling2d({ name: nextName("average_pooling2d"), poolSize: 3, strides: 1, padding: "same" }).apply(x) as tfl.SymbolicTensor;
  const concat = (parts: tfl.SymbolicTensor[], name = nextName("concatenate")) =>
    tfl.layers.concatenate({ name, axis: 3 }).apply(parts) as tfl.SymbolicTensor;

  // Statements below run in the order of Keras' code: the automatic names depend on it.
  /** mixed0..mixed2 (35x35): 1x1, 5x5, double 3x3 and pooled branches. */
  const block35 = (x: tfl.SymbolicTensor, poolFilters: number, name: string) => {
    const b1 = convBn(x, 64, 1, 1);
    const b5 = convBn(convBn(x, 48, 1, 1), 64, 5, 5);
    const b3 = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    const bp = convBn(avgPool(x), poolFilters, 1, 1);
    return concat([b1, b5, b3, bp], name);
  };
  /** mixed3: 35x35 -> 17x17. */
  const reduction35 = (x: tfl.SymbolicTensor) => {
    const b3 = convBn(x, 384, 3, 3, "valid", 2);
    const b3dbl = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, "valid", 2);
    return concat([b3, b3dbl, maxPool(x)], "mixed3");
  };
  /** mixed4..mixed7 (17x17): factorised 7x7 branches with `width` inner filters. */
  const block17 = (x: tfl.SymbolicTensor, width: number, name: string) => {
    const b1 = convBn(x, 192, 1, 1);
    const b7 = convBn(convBn(convBn(x, width, 1, 1), width, 1, 7), 192, 7, 1);
    let b7dbl = convBn(x, width, 1, 1);
    b7dbl = convBn(convBn(convBn(b7dbl, width, 7, 1), width, 1, 7), width, 7, 1);
    b7dbl = convBn(b7dbl, 192, 1, 7);
    const bp = convBn(avgPool(x), 192, 1, 1);
    return concat([b1, b7, b7dbl, bp], name);
  };
  /** mixed8: 17x17 -> 8x8. */
  const reduction17 = (x: tfl.SymbolicTensor) => {
    const b3 = convBn(convBn(x, 192, 1, 1), 320, 3, 3, "valid", 2);
    const b7x3 = convBn(convBn(convBn(convBn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, "valid", 2);
    return concat([b3, b7x3, maxPool(x)], "mixed8");
  };
  /** mixed9, mixed10 (8x8): branches split into parallel 1x3 and 3x1 convolutions. */
  const block8 = (x: tfl.SymbolicTensor, i: number) => {
    const b1 = convBn(x, 320, 1, 1);
    const b3stem = convBn(x, 384, 1, 1);
    const b3 = concat([convBn(b3stem, 384, 1, 3), convBn(b3stem, 384, 3, 1)], `mixed9_${i}`);
    const b3dblStem = convBn(convBn(x, 448, 1, 1), 384, 3, 3);
    const b3dbl = concat([convBn(b3dblStem, 384, 1, 3), convBn(b3dblStem, 384, 3, 1)]);
    const bp = convBn(avgPool(x), 192, 1, 1);
    return concat([b1, b3, b3dbl, bp], `mixed${9 + i}`);
  };

  const input = tfl.input({ name: "input_1", shape: [inputSize, inputSize, channels] });
  let x = input;
  // Keras' inception preprocess_input: x / 127.5 - 1.
  if (preprocess) x = tfl.layers.rescaling({ name: "preprocess", scale: 1 / 127.5, offset: -1 }).apply(x) as tfl.SymbolicTensor;
  x = convBn(x, 32, 3, 3, "valid", 2);
  x = convBn(x, 32, 3, 3, "valid");
  x = convBn(x, 64, 3, 3);
  x = maxPool(x);
  x = convBn(x, 80, 1, 1, "valid");
  x = convBn(x, 192, 3, 3, "valid");
  x = maxPool(x);
  x = block35(x, 32, "mixed0");
  x = block35(x, 64, "mixed1");
  x = block35(x, 64, "mixed2");
  x = reduction35(x);
  x = block17(x, 128, "mixed4");
  x = block17(x, 160, "mixed5");
  x = block17(x, 160, "mixed6");
  x = block17(x, 192, "mixed7");
  x = reduction17(x);
  x = block8(x, 0);
  x = block8(x, 1);
  x = tfl.layers.globalAveragePooling2d({ name: INCEPTION_V3_HEAD_LAYERS.pooling }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ name: INCEPTION_V3_HEAD_LAYERS.dropout, rate: dropout }).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ name: INCEPTION_V3_HEAD_LAYERS.logits, units: numClasses, kernelInitializer: glorot() }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ name: "inception_v3", inputs: input, outputs: logits });
}

export interface InceptionV3WeightTransfer {
  /** Layers whose weights were copied (convolutions and batch norms). */
  layers: number;
  /** Numbers copied into the model. */
  params: number;
  /** True when the first convolution's RGB kernel was summed to one input channel. */
  firstConvSummedToGray: boolean;
}

/**
 * Keras numbers automatic names from wherever its session counter stood: standalone Keras 2
 * starts at conv2d_1, tf.keras at conv2d (then conv2d_1), and a second model in the same
 * session further on. Renumber each type from 1 so that all these map onto our names.
 */
function normalisedKerasNames(layers: tfl.layers.Layer[]): Map<string, tfl.layers.Layer> {
  const pattern = /^(conv2d|batch_normalization)(?:_(\d+))?$/;
  const first = new Map<string, number>();
  for (const layer of layers) {
    const match = pattern.exec(layer.name);
    if (!match) continue;
    const index = Number(match[2] ?? 0);
    first.set(match[1], Math.min(first.get(match[1]) ?? Infinity, index));
  }
  const byName = new Map<string, tfl.layers.Layer>();
  for (const layer of layers) {
    const match = pattern.exec(layer.name);
    const name = match ? `${match[1]}_${Number(match[2] ?? 0) - (first.get(match[1]) ?? 0) + 1}` : layer.name;
    byName.set(name, layer);
  }
  return byName;
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.join(",")}]`;

/**
 * Copies ImageNet weights, layer by layer by name, from a Keras InceptionV3 converted with
 * `tensorflowjs_converter --input_format keras` and loaded with `tf.loadLayersModel` (file://
 * URLs need tfjs-node). The head (logits) is left as initialised; Keras' own top
 * ("predictions"), if present, is ignored. For a one-channel model the first kernel
 * [3,3,3,32] is summed over its input channels: a gray image is R = G = B.
 * Throws, listing every layer, when layers are missing on either side or shapes differ.
 */
export function loadInceptionV3ImageNetWeights(model: tfl.LayersModel, weightsModel: tfl.LayersModel): InceptionV3WeightTransfer {
  const withWeights = (m: tfl.LayersModel) => m.layers.filter((l) => l.weights.length > 0 && !KERAS_TOP_LAYERS.has(l.name));
  const targets = withWeights(model);
  const sources = normalisedKerasNames(withWeights(weightsModel));
  const targetNames = new Set(targets.map((l) => l.name));

  const byNumber = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });
  const missing = targets.filter((l) => !sources.has(l.name)).map((l) => l.name).sort(byNumber);
  const extra = [...sources.entries()].filter(([name]) => !targetNames.has(name))
    .map(([name, l]) => (name === l.name ? name : `${l.name} (as ${name})`)).sort(byNumber);
  const mismatched: string[] = [];
  let firstConvSummedToGray = false;
  for (const target of targets) {
    const source = sources.get(target.name);
    if (!source) continue;
    const want = target.weights.map((w) => shapeText(w.shape));
    const have = source.weights.map((w) => shapeText(w.shape));
    if (want.join(" ") === have.join(" ")) continue;
    // A [3,3,1,32] kernel takes a [3,3,3,32] one, summed over its input channels.
    const [wantKernel] = target.weights.map((w) => w.shape);
    const rgbAsGray = target.name === FIRST_CONV && want.length === 1 && have.length === 1 && wantKernel[2] === 1 &&
      have[0] === shapeText([wantKernel[0], wantKernel[1], 3, wantKernel[3]]);
    if (rgbAsGray) firstConvSummedToGray = true;
    else mismatched.push(`${target.name}: model ${want.join(" ")} vs weights ${have.join(" ")} (${source.name})`);
  }

  const problems: string[] = [];
  if (targets.length === 0) problems.push(`model "${model.name}" has no layers with weights outside its head`);
  if (missing.length > 0) problems.push(`missing in the weights model (${missing.length}): ${missing.join(", ")}`);
  if (extra.length > 0) problems.push(`not in the model (${extra.length}): ${extra.join(", ")}`);
  if (mismatched.length > 0) problems.push(`different shapes (${mismatched.length}): ${mismatched.join("; ")}`);
  if (problems.length > 0) {
    throw new Error(`loadInceptionV3ImageNetWeights: cannot copy weights model "${weightsModel.name}" into "${model.name}":\n- ${problems.join("\n- ")}`);
  }

  let params = 0;
  for (const target of targets) {
    const source = sources.get(target.name) as tfl.layers.Layer;
    // getWeights() hands out the live variables: only the tensors made here are disposed.
    const values = source.getWeights();
    const made = target.name === FIRST_CONV && firstConvSummedToGray ? [tf.sum(values[0], 2, true)] : [];
    target.setWeights(made.length > 0 ? made : values);
    params += target.countParams();
    tf.dispose(made);
  }
  return { layers: targets.length, params, firstConvSummedToGray };
}
