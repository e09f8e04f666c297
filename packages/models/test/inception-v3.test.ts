// Inception v3 (the paper's teacher): Keras' architecture, parameter counts and layer names,
// a forward pass of the students' 84x84x1 input, and the ImageNet weight transfer from a
// converted Keras model (here one built by the same function, renamed the way tf.keras names
// layers and round-tripped through the tfjs model format in memory: nothing is fetched).
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import "@tensorflow/tfjs-backend-cpu";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildInceptionV3, loadInceptionV3ImageNetWeights, ScaleFreeBatchNormalization } from "../src/inception-v3.js";

/** Keras' InceptionV3(include_top=False) at 299x299x3: total and trainable parameters. */
const KERAS_NO_TOP_PARAMS = 21_802_784;
const KERAS_NO_TOP_TRAINABLE = 21_768_352;

const size = (shape: readonly (number | null)[]) => shape.reduce<number>((a, b) => a * (b ?? 1), 1);
const headParams = (model: tfl.LayersModel) => model.getLayer("logits").countParams();

/** conv2d_1..conv2d_94 as "rows x cols > filters", in Keras' creation order. */
function kerasConvSequence(): string {
  const block35 = (pool: number) => ["1x1>64", "1x1>48", "5x5>64", "1x1>64", "3x3>96", "3x3>96", `1x1>${pool}`];
  const block17 = (w: number) => ["1x1>192", `1x1>${w}`, `1x7>${w}`, "7x1>192", `1x1>${w}`, `7x1>${w}`, `1x7>${w}`, `7x1>${w}`, "1x7>192", "1x1>192"];
  const block8 = ["1x1>320", "1x1>384", "1x3>384", "3x1>384", "1x1>448", "3x3>384", "1x3>384", "3x1>384", "1x1>192"];
  return [
    "3x3>32", "3x3>32", "3x3>64", "1x1>80", "3x3>192",
    ...block35(32), ...block35(64), ...block35(64),
    "3x3>384", "1x1>64", "3x3>96", "3x3>96",
    ...block17(128), ...block17(160), ...block17(160), ...block17(192),
    "1x1>192", "3x3>320", "1x1>192", "1x7>192", "7x1>192", "3x3>192",
    ...block8, ...block8,
  ].join(" ");
}

function pixels(shape: number[], seed: number): tf.Tensor {
  const out = new Float32Array(size(shape));
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24; // raw 0..255
  }
  return tf.tensor(out, shape);
}

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  return worst;
}

const values = (layer: tfl.layers.Layer) => layer.getWeights().map((w) => w.dataSync() as Float32Array);

/** Expects two layers to hold exactly the same weights (a plain loop: deep equality of millions of numbers is slow). */
function expectSameWeights(actual: tfl.layers.Layer, expected: tfl.layers.Layer): void {
  const [a, b] = [values(actual), values(expected)];
  expect(a.map((w) => w.length), actual.name).toEqual(b.map((w) => w.length));
  const differing = a.reduce((count, w, i) => count + countDiffering(w, b[i]), 0);
  expect(differing, `${actual.name}: values that differ from ${expected.name}`).toBe(0);
}

function countDiffering(a: Float32Array, b: Float32Array): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});
afterAll(() => tf.disposeVariables());

describe("buildInceptionV3: Keras' architecture", () => {
  it("has Keras' parameter counts at 299x299x3, plus 2048*8+8 for the paper's 8-class top", () => {
    const model = buildInceptionV3({ numClasses: 8 });
    expect(model.countParams() - headParams(model)).toBe(KERAS_NO_TOP_PARAMS);
    expect(model.countParams()).toBe(KERAS_NO_TOP_PARAMS + 2048 * 8 + 8);
    const trainable = model.trainableWeights.reduce((sum, w) => sum + size(w.shape), 0);
    expect(trainable - headParams(model)).toBe(KERAS_NO_TOP_TRAINABLE);
    model.dispose();
  });

  it("uses Keras' layer names, creation order and block shapes", () => {
    const model = buildInceptionV3({ numClasses: 8, inputSize: 299 });
    const convs = Array.from({ length: 94 }, (_, i) => model.getLayer(`conv2d_${i + 1}`));
    expect(convs.map((l) => { const [r, c, , f] = l.weights[0].shape; return `${r}x${c}>${f}`; }).join(" ")).toBe(kerasConvSequence());
    expect(model.layers.filter((l) => /^conv2d_\d+$/.test(l.name))).toHaveLength(94);
    for (let k = 1; k <= 94; k++) {
      const bn = model.getLayer(`batch_normalization_${k}`);
      const relu = model.getLayer(`activation_${k}`);
      // Conv -> BN(scale=False: beta, moving mean, moving variance) -> ReLU, no conv bias.
      expect(convs[k - 1].weights).toHaveLength(1);
      expect(bn.inboundNodes[0].inboundLayers[0].name).toBe(`conv2d_${k}`);
      expect(bn.weights.map((w) => w.shape)).toEqual(Array(3).fill([convs[k - 1].weights[0].shape[3]]));
      expect(bn).toBeInstanceOf(ScaleFreeBatchNormalization);
      expect(bn.getConfig()).toMatchObject({ epsilon: 1e-3, momentum: 0.99 });
      expect(relu.inboundNodes[0].inboundLayers[0].name).toBe(`batch_normalization_${k}`);
      expect(relu.getConfig()).toMatchObject({ activation: "relu" });
    }
    const blocks: Record<string, number[]> = {
      mixed0: [35, 35, 256], mixed1: [35, 35, 288], mixed2: [35, 35, 288], mixed3: [17, 17, 768], mixed4: [17, 17, 768],
      mixed5: [17, 17, 768], mixed6: [17, 17, 768], mixed7: [17, 17, 768], mixed8: [8, 8, 1280], mixed9_0: [8, 8, 768],
      mixed9: [8, 8, 2048], mixed9_1: [8, 8, 768], mixed10: [8, 8, 2048],
    };
    for (const [name, shape] of Object.entries(blocks)) expect(model.getLayer(name).outputShape).toEqual([null, ...shape]);
    expect(model.getLayer("avg_pool").inboundNodes[0].inboundLayers[0].name).toBe("mixed10");
    model.dispose();
  });

  it("builds the students' 84x84x1 variant, which maps a batch of 2 raw images to [2, numClasses] logits", () => {
    const model = buildInceptionV3({ numClasses: 8, seed: 1, inputSize: 84, channels: 1 });
    expect(model.inputs[0].shape).toEqual([null, 84, 84, 1]);
    expect(model.getLayer("conv2d_1").weights[0].shape).toEqual([3, 3, 1, 32]);
    expect(model.countParams()).toBe(KERAS_NO_TOP_PARAMS - 3 * 3 * 2 * 32 + 2048 * 8 + 8);
    expect(model.getLayer("mixed10").outputShape).toEqual([null, 1, 1, 2048]);
    expect(model.getLayer("dropout").getConfig()).toMatchObject({ rate: 0.5 });
    const x = pixels([2, 84, 84, 1], 3);
    const logits = model.predict(x) as tf.Tensor;
    expect(logits.shape).toEqual([2, 8]);
    const out = logits.dataSync();
    expect(Array.from(out).every(Number.isFinite)).toBe(true);
    expect(maxRelativeError(out.slice(0, 8), out.slice(8))).toBeGreaterThan(1e-6); // the two images differ
    tf.dispose([x, logits]);
    model.dispose();
  });

  it("scales raw 0..255 to [-1, 1] inside the model (Keras' inception preprocess_input), unless told not to", () => {
    const model = buildInceptionV3({ numClasses: 2, inputSize: 75, channels: 1 });
    const scale = tfl.model({ inputs: model.inputs, outputs: model.getLayer("preprocess").output as tfl.SymbolicTensor });
    const x = tf.concat([tf.fill([1, 75, 75, 1], 255), tf.fill([1, 75, 75, 1], 127.5), tf.zeros([1, 75, 75, 1])]);
    const y = scale.predict(x) as tf.Tensor;
    expect(Array.from(tf.max(y, [1, 2, 3]).dataSync())).toEqual([1, 0, -1]);
    tf.dispose([x, y]);
    model.dispose();
    const raw = buildInceptionV3({ numClasses: 2, inputSize: 75, channels: 1, preprocess: false });
    expect(raw.layers.map((l) => l.name)).not.toContain("preprocess");
    expect(raw.getLayer("conv2d_1").inboundNodes[0].inboundLayers[0].name).toBe("input_1");
    raw.dispose();
  });

  it("is fixed by its seed", () => {
    const kernels = [1, 1, 2].map((seed) => {
      const model = buildInceptionV3({ numClasses: 3, seed, inputSize: 75, channels: 1 });
      const kernel = [model.getLayer("conv2d_1"), model.getLayer("conv2d_94"), model.getLayer("logits")].map((l) => values(l)[0]);
      model.dispose();
      return kernel;
    });
    for (let i = 0; i < 3; i++) {
      expect(countDiffering(kernels[1][i], kernels[0][i])).toBe(0);
      expect(countDiffering(kernels[2][i], kernels[0][i])).toBeGreaterThan(kernels[0][i].length * 0.99);
    }
  });

  it("rejects bad options with a clear error", () => {
    expect(() => buildInceptionV3({ numClasses: 8, inputSize: 74 })).toThrow(/buildInceptionV3: inputSize must be an integer >= 75 .*got 74/);
    expect(() => buildInceptionV3({ numClasses: 8, inputSize: 84.5 })).toThrow(/inputSize must be an integer >= 75/);
    expect(() => buildInceptionV3({ numClasses: 0 })).toThrow(/numClasses must be a positive integer, got 0/);
    expect(() => buildInceptionV3({ numClasses: 8, channels: 2 as 1 })).toThrow(/channels must be 1 \(grayscale\) or 3 \(RGB\), got 2/);
    expect(() => buildInceptionV3({ numClasses: 8, dropout: 1 })).toThrow(/dropout must be a rate in \[0, 1\), got 1/);
  });
});

describe("ScaleFreeBatchNormalization (Keras' BatchNormalization with scale=False)", () => {
  const x = () => tf.div(pixels([4, 3, 3, 5], 5), 50);
  /** tfjs's own layer, which trains only with a scale: here a gamma of ones. */
  const stock = () => tfl.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.99 });
  const ours = () => new ScaleFreeBatchNormalization({ epsilon: 1e-3, momentum: 0.99 });
  const withBeta = (layer: tfl.layers.Layer, beta: tf.Tensor) => {
    layer.build([null, 3, 3, 5]);
    const weights = layer.getWeights();
    layer.setWeights(weights.map((w, i) => (i === weights.length - 3 ? beta : w)));
    return layer;
  };
  const beta = tf.tensor1d([0.5, -1, 0, 2, 0.25]);
  const weights = tf.div(pixels([4, 3, 3, 5], 13), 255);

  it("normalises like tfjs's BatchNormalization with gamma = 1, in training and inference, with the same gradients", () => {
    for (const training of [true, false]) {
      const [a, b] = [withBeta(stock(), beta), withBeta(ours(), beta)];
      const input = x();
      // Weights that vary over the batch: in training, a per-channel sum of the outputs is constant.
      const f = (layer: tfl.layers.Layer) => (t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t, { training }) as tf.Tensor, weights));
      const [yA, yB] = [a, b].map((layer) => layer.apply(input, { training }) as tf.Tensor);
      expect(maxRelativeError(yB.dataSync(), yA.dataSync())).toBeLessThan(1e-5);
      const [gA, gB] = [tf.grad(f(a))(input), tf.grad(f(b))(input)];
      expect(tf.max(tf.abs(gA)).dataSync()[0]).toBeGreaterThan(0.01);
      expect(maxRelativeError(gB.dataSync(), gA.dataSync())).toBeLessThan(1e-4);
      tf.dispose([input, yA, yB, gA, gB]); // the layers' variables go in afterAll
    }
  });

  it("moves its statistics as Keras does (towards the batch mean and the unbiased batch variance), only in training", () => {
    const layer = withBeta(ours(), beta);
    const input = x();
    tf.dispose(layer.apply(input, { training: false }) as tf.Tensor);
    expect(Array.from(layer.getWeights()[1].dataSync())).toEqual([0, 0, 0, 0, 0]);
    tf.dispose(layer.apply(input, { training: true }) as tf.Tensor);
    const { mean, variance } = tf.moments(input, [0, 1, 2]);
    const n = 4 * 3 * 3;
    const [, movingMean, movingVariance] = layer.getWeights();
    expect(maxRelativeError(movingMean.dataSync(), tf.mul(mean, 0.01).dataSync())).toBeLessThan(1e-6);
    expect(maxRelativeError(movingVariance.dataSync(), tf.add(0.99, tf.mul(variance, 0.01 * n / (n - 1))).dataSync())).toBeLessThan(1e-6);
    tf.dispose([input, mean, variance]);
  });

  it("trains inside a model (where tfjs's scale-free layer throws), without leaking tensors, and survives save and load", async () => {
    const build = (bn: () => tfl.layers.Layer) => {
      const model = tfl.sequential({ layers: [
        tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 4, kernelSize: 3, useBias: false, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        bn(), tfl.layers.flatten(), tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ] });
      model.compile({ optimizer: tf.train.sgd(0.1), loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
      return model;
    };
    const xs = pixels([4, 6, 6, 1], 9);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 0, 1], "int32"), 2);
    const broken = build(() => tfl.layers.batchNormalization({ scale: false }));
    await expect(broken.trainOnBatch(xs, ys)).rejects.toThrow(/read/); // tensorflow/tfjs#2868
    broken.dispose();

    const model = build(ours);
    const losses = [Number(await model.trainOnBatch(xs, ys))];
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) losses.push(Number(await model.trainOnBatch(xs, ys)));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(losses[5]).toBeLessThan(losses[0]);
    const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(await saveArtifacts(model)));
    expect(reloaded.layers[1]).toBeInstanceOf(ScaleFreeBatchNormalization);
    const [before, after] = [model, reloaded].map((m) => m.predict(xs) as tf.Tensor);
    expect(maxRelativeError(after.dataSync(), before.dataSync())).toBeLessThan(1e-6);
    tf.dispose([xs, ys, before, after]);
    model.dispose();
    reloaded.dispose();
  });
});

/** Saves a model in the tfjs layers format, in memory, as tensorflowjs_converter would write it. */
async function saveArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  if (!saved) throw new Error("the save handler was not called");
  return saved;
}

/** Loads artifacts after renaming their layers (and weights) with `rename`. */
async function loadRenamed(artifacts: tf.io.ModelArtifacts, rename: (json: string) => string): Promise<tfl.LayersModel> {
  const topology = JSON.parse(rename(JSON.stringify(artifacts.modelTopology))) as object;
  const weightSpecs = JSON.parse(rename(JSON.stringify(artifacts.weightSpecs))) as tf.io.WeightsManifestEntry[];
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData: artifacts.weightData }));
}

/**
 * What tensorflowjs_converter makes of a tf.keras InceptionV3: layers named conv2d, conv2d_1, ...
 * (standalone Keras 2: conv2d_1, conv2d_2, ...), tfjs's stock BatchNormalization(scale=False),
 * and Keras' top named "predictions".
 */
const asTfKeras = (json: string) =>
  json
    .replace(/\b(conv2d|batch_normalization)_(\d+)\b/g, (_, type: string, n: string) => (n === "1" ? type : `${type}_${Number(n) - 1}`))
    .replace(/"class_name":"ScaleFreeBatchNormalization","config":\{/g, "\"class_name\":\"BatchNormalization\",\"config\":{\"axis\":3,\"center\":true,\"scale\":false,")
    .replace(/"logits\b/g, "\"predictions");

describe("loadInceptionV3ImageNetWeights", () => {
  let rgb: tfl.LayersModel; // stands for Keras' ImageNet InceptionV3
  let converted: tfl.LayersModel; // the same, as the user loads it after tensorflowjs_converter

  beforeAll(async () => {
    rgb = buildInceptionV3({ numClasses: 5, seed: 7, inputSize: 84, channels: 3 });
    // Trained-looking batch-norm statistics, so that copying them is visible.
    for (const layer of rgb.layers.filter((l) => l.name.startsWith("batch_normalization_"))) {
      const [n] = layer.weights[0].shape as number[];
      layer.setWeights([tf.randomNormal([n], 0, 0.1, "float32", 1), tf.randomNormal([n], 0, 0.2, "float32", 2), tf.randomUniform([n], 0.5, 1.5, "float32", 3)]);
    }
    converted = await loadRenamed(await saveArtifacts(rgb), asTfKeras);
  });
  afterAll(() => {
    rgb.dispose();
    converted.dispose();
  });

  it("copies every convolution and batch norm by name from a converted tf.keras model, summing the RGB kernel for gray input", () => {
    expect(converted.layers.map((l) => l.name)).toEqual(expect.arrayContaining(["conv2d", "conv2d_93", "batch_normalization", "predictions"]));
    expect(converted.getLayer("batch_normalization_93").getClassName()).toBe("BatchNormalization");
    const gray = buildInceptionV3({ numClasses: 8, seed: 1, inputSize: 84, channels: 1 });
    const logitsBefore = values(gray.getLayer("logits"));
    expect(countDiffering(values(gray.getLayer("conv2d_2"))[0], values(rgb.getLayer("conv2d_2"))[0])).toBeGreaterThan(0);

    const transfer = loadInceptionV3ImageNetWeights(gray, converted);
    expect(transfer).toEqual({ layers: 188, params: KERAS_NO_TOP_PARAMS - 3 * 3 * 2 * 32, firstConvSummedToGray: true });
    for (let k = 2; k <= 94; k++) expectSameWeights(gray.getLayer(`conv2d_${k}`), rgb.getLayer(`conv2d_${k}`));
    for (let k = 1; k <= 94; k++) expectSameWeights(gray.getLayer(`batch_normalization_${k}`), rgb.getLayer(`batch_normalization_${k}`));
    // The first kernel [3,3,3,32] (HWIO) summed over I, computed here by hand.
    const [rgbKernel] = values(rgb.getLayer("conv2d_1"));
    const [grayKernel] = values(gray.getLayer("conv2d_1"));
    const summed = Array.from({ length: 9 * 32 }, (_, i) => {
      const [hw, o] = [Math.floor(i / 32), i % 32];
      return rgbKernel[hw * 96 + o] + rgbKernel[hw * 96 + 32 + o] + rgbKernel[hw * 96 + 64 + o];
    });
    expect(maxRelativeError(grayKernel, summed)).toBeLessThan(1e-6);
    expect(countDiffering(values(gray.getLayer("logits"))[0], logitsBefore[0])).toBe(0); // the head stays as initialised

    // A gray image through the gray model = the same image as R = G = B through the RGB model.
    const features = (m: tfl.LayersModel) => tfl.model({ inputs: m.inputs, outputs: m.getLayer("avg_pool").output as tfl.SymbolicTensor });
    const image = pixels([1, 84, 84, 1], 11);
    const asRgb = tf.concat([image, image, image], 3);
    const fromGray = features(gray).predict(image) as tf.Tensor;
    const fromRgb = features(rgb).predict(asRgb) as tf.Tensor;
    expect(fromGray.shape).toEqual([1, 2048]);
    expect(tf.max(fromRgb).dataSync()[0]).toBeGreaterThan(0);
    expect(maxRelativeError(fromGray.dataSync(), fromRgb.dataSync())).toBeLessThan(1e-4);
    tf.dispose([image, asRgb, fromGray, fromRgb]);
    gray.dispose();
  });

  it("copies an RGB model as is", () => {
    const target = buildInceptionV3({ numClasses: 8, seed: 3, inputSize: 75, channels: 3 });
    expect(loadInceptionV3ImageNetWeights(target, converted)).toEqual({ layers: 188, params: KERAS_NO_TOP_PARAMS, firstConvSummedToGray: false });
    for (let k = 1; k <= 94; k++) expectSameWeights(target.getLayer(`conv2d_${k}`), rgb.getLayer(`conv2d_${k}`));
    target.dispose();
  });

  it("lists the layers missing on either side", async () => {
    const target = buildInceptionV3({ numClasses: 8, inputSize: 75, channels: 1 });
    const renamedOne = await loadRenamed(await saveArtifacts(rgb), (json) => json.replace(/\bconv2d_94\b/g, "my_conv"));
    expect(() => loadInceptionV3ImageNetWeights(target, renamedOne)).toThrow(
      /cannot copy weights model "inception_v3" into "inception_v3":\n- missing in the weights model \(1\): conv2d_94\n- not in the model \(1\): my_conv$/,
    );
    renamedOne.dispose();

    const tiny = tfl.sequential({ name: "tiny", layers: [
      tfl.layers.conv2d({ name: "conv2d_1", inputShape: [84, 84, 3], filters: 32, kernelSize: 3, useBias: false }),
      tfl.layers.flatten({ name: "flatten" }),
      tfl.layers.dense({ name: "fc", units: 2 }),
    ] });
    let message = "";
    try {
      loadInceptionV3ImageNetWeights(target, tiny);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/weights model "tiny"/);
    expect(message).toMatch(/missing in the weights model \(187\): batch_normalization_1, batch_normalization_2, .*batch_normalization_94, conv2d_2, conv2d_3, .*conv2d_94\n/);
    expect(message).toMatch(/not in the model \(1\): fc$/m);
    tiny.dispose();
    target.dispose();
  });

  it("names the layers whose shapes differ", () => {
    const target = buildInceptionV3({ numClasses: 8, inputSize: 75, channels: 3 });
    const gray = buildInceptionV3({ numClasses: 8, inputSize: 75, channels: 1 });
    // A one-channel kernel cannot be spread back over RGB.
    expect(() => loadInceptionV3ImageNetWeights(target, gray)).toThrow(/different shapes \(1\): conv2d_1: model \[3,3,3,32\] vs weights \[3,3,1,32\]/);
    gray.dispose();
    target.dispose();
  });
});
