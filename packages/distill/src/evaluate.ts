/**
 * Evaluation as the paper reports it (accuracy averaged over the 8 crops of every test
 * face), plus 8-crop voting (argmax of the mean logits) and the inference crop alone.
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { CropPolicy, NetworkWeights } from "@microexp/infer";
import { createWasmEngine, CROP_POLICIES, cropPolicyShape, describeArchitecture, INPUT_SIZE, TRAINING_CROP_OFFSETS } from "@microexp/infer";
import { createTfForward, GraphExportError, isFamilyMember, modelNetwork, networkFromModel } from "@microexp/models";
import type { CropSet } from "./crop-set.js";
import { CROP_PIXELS, CROPS_PER_IMAGE, gatherInputs } from "./crop-set.js";

/** Index of the (32, 32) crop among the 8: the one the inference crop policy takes. */
export const INFERENCE_CROP_INDEX = 6;

/** A trained network ready for batches: the logits [n][classes] of `n` raw 84x84 inputs laid end to end. */
export interface ModelRunner {
  logits(input: Float32Array, n: number): Float32Array;
  dispose(): void;
  /** What runs the network, for reports. */
  readonly via: RunnerKind;
}

export type RunnerKind = "tfjs fused ops" | "@microexp/infer wasm" | "tfjs predict";

/**
 * The fastest faithful way to run a trained model: members of the paper's family through
 * fused tfjs-core ops (twice as fast as predict; their reported evaluations come from there),
 * any other network the runtime can express on @microexp/infer's WebAssembly engine (dsnet:
 * 0.79 ms a crop against 1.89 ms in tfjs's predict, batch 256, idle machine; the same logits to
 * 1e-4, tested), the rest through predict. The runner does not own the model: dispose both.
 */
export async function createRunner(model: tfl.LayersModel, architecture: string, numClasses: number): Promise<ModelRunner> {
  if (isFamilyMember(architecture)) {
    const forward = createTfForward(networkFromModel(model, describeArchitecture(architecture, numClasses)));
    return tensorRunner("tfjs fused ops", (x) => forward(x), () => forward.dispose());
  }
  const network = exportableNetwork(model, architecture, numClasses);
  const engine = network ? await createWasmEngine(network) : null;
  if (engine) return { via: "@microexp/infer wasm", logits: (input, n) => engine.forward(input.subarray(0, n * CROP_PIXELS), n), dispose: () => {} };
  return tensorRunner("tfjs predict", (x) => model.predict(x, { batchSize: 256 }) as tf.Tensor2D, () => {});
}

function tensorRunner(via: RunnerKind, run: (x: tf.Tensor4D) => tf.Tensor2D, dispose: () => void): ModelRunner {
  return {
    via,
    logits: (input, n) => {
      const out = tf.tidy(() => run(tf.tensor4d(input.subarray(0, n * CROP_PIXELS), [n, INPUT_SIZE, INPUT_SIZE, 1])));
      const values = out.dataSync() as Float32Array;
      out.dispose();
      return values;
    },
    dispose,
  };
}

/** The runtime network of a trained model, or undefined when the layer graph cannot express it (e.g. Inception v3). */
export function exportableNetwork(model: tfl.LayersModel, architecture: string, numClasses: number): NetworkWeights | undefined {
  try {
    return modelNetwork(model, architecture, numClasses);
  } catch (error) {
    if (error instanceof GraphExportError) return undefined;
    throw error;
  }
}

/** Mirrors each 84x84 crop of a batch left to right, in place. */
export function mirrorCrops(input: Float32Array, count: number): void {
  for (let row = 0; row < count * INPUT_SIZE; row++) input.subarray(row * INPUT_SIZE, (row + 1) * INPUT_SIZE).reverse();
}

/**
 * Logits of every crop of every image: (image * 8 + crop) * numClasses + class; with
 * `mirrored`, of each crop mirrored left to right (the runtime's flip policies).
 */
export function predictCrops(runner: ModelRunner, data: CropSet, batchSize = 256, mirrored = false): Float32Array {
  const numClasses = data.labelNames.length;
  const samples = data.count * CROPS_PER_IMAGE;
  const out = new Float32Array(samples * numClasses);
  const input = new Float32Array(batchSize * CROP_PIXELS);
  const indices = new Uint32Array(batchSize);
  for (let start = 0; start < samples; start += batchSize) {
    const n = Math.min(batchSize, samples - start);
    for (let k = 0; k < n; k++) indices[k] = start + k;
    gatherInputs(data, indices.subarray(0, n), input);
    if (mirrored) mirrorCrops(input, n);
    out.set(runner.logits(input, n), start * numClasses);
  }
  return out;
}

/** The logits of every crop of `data` (and, with `mirrored`, of every mirrored crop) from `model`, through createRunner. */
export async function predictModelCrops(model: tfl.LayersModel, architecture: string, data: CropSet, mirrored = false): Promise<{ logits: Float32Array; mirrored?: Float32Array; via: RunnerKind }> {
  const runner = await createRunner(model, architecture, data.labelNames.length);
  try {
    return { logits: predictCrops(runner, data), ...(mirrored ? { mirrored: predictCrops(runner, data, 256, true) } : {}), via: runner.via };
  } finally {
    runner.dispose();
  }
}

export interface Metrics {
  /** The paper's figure: accuracy over all crops of all test images. */
  cropAccuracy: number;
  /** One decision per image from the mean of its 8 crops' logits. */
  voteAccuracy: number;
  /** One decision per image from the (32, 32) crop alone, as the runtime does. */
  inferenceCropAccuracy: number;
  /** Crop-level confusion counts, [truth][predicted]. */
  confusion: number[][];
  /**
   * Accuracy of each test-time policy of @microexp/infer's classify() (softmax of each crop's
   * logits, then the mean): when the mirrored crops' logits were given.
   */
  policies?: PolicyAccuracy;
  /** Crop-level recall of each class (NaN where a class has no test faces). */
  recall: number[];
  images: number;
}

/** Accuracy of each of @microexp/infer's crop policies (`CROP_POLICIES`). */
export type PolicyAccuracy = Record<CropPolicy, number>;

/** Which of the 8 training crops (TRAINING_CROP_OFFSETS order) a policy takes: every policy's windows are among them. */
function policyCrops(policy: CropPolicy): number[] {
  return cropPolicyShape(policy).offsets.map(([row, col]) => {
    const index = TRAINING_CROP_OFFSETS.findIndex(([r, c]) => r === row && c === col);
    if (index < 0) throw new Error(`crop policy ${policy}: window (${row}, ${col}) is not one of the 8 training crops`);
    return index;
  });
}

function softmaxInto(logits: Float32Array, start: number, n: number, into: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < n; k++) max = Math.max(max, logits[start + k]);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.exp(logits[start + k] - max);
  for (let k = 0; k < n; k++) into[k] += Math.exp(logits[start + k] - max) / sum;
}

/** Each policy's accuracy from the crops' logits and the mirrored crops' logits. */
export function policyAccuracy(logits: Float32Array, mirrored: Float32Array, labels: Int32Array, numClasses: number): PolicyAccuracy {
  const sums = new Float64Array(numClasses);
  const accuracy = {} as PolicyAccuracy;
  for (const policy of CROP_POLICIES) {
    const crops = policyCrops(policy);
    const { flip } = cropPolicyShape(policy);
    let right = 0;
    for (let i = 0; i < labels.length; i++) {
      sums.fill(0);
      for (const c of crops) {
        softmaxInto(logits, (i * CROPS_PER_IMAGE + c) * numClasses, numClasses, sums);
        if (flip) softmaxInto(mirrored, (i * CROPS_PER_IMAGE + c) * numClasses, numClasses, sums);
      }
      if (argmax(Array.from(sums), 0, numClasses) === labels[i]) right++;
    }
    accuracy[policy] = right / labels.length;
  }
  return accuracy;
}

function argmax(values: Float32Array | number[], start: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[start + i] > values[start + best]) best = i;
  return best;
}

export function metricsFromLogits(logits: Float32Array, labels: Int32Array, numClasses: number, mirrored?: Float32Array): Metrics {
  const images = labels.length;
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let cropRight = 0;
  let voteRight = 0;
  let inferenceRight = 0;
  const mean = new Float32Array(numClasses);
  for (let i = 0; i < images; i++) {
    mean.fill(0);
    for (let c = 0; c < CROPS_PER_IMAGE; c++) {
      const base = (i * CROPS_PER_IMAGE + c) * numClasses;
      const predicted = argmax(logits, base, numClasses);
      confusion[labels[i]][predicted]++;
      if (predicted === labels[i]) {
        cropRight++;
        if (c === INFERENCE_CROP_INDEX) inferenceRight++;
      }
      for (let k = 0; k < numClasses; k++) mean[k] += logits[base + k];
    }
    if (argmax(mean, 0, numClasses) === labels[i]) voteRight++;
  }
  const recall = confusion.map((row, i) => row[i] / row.reduce((a, b) => a + b, 0));
  return {
    cropAccuracy: cropRight / (images * CROPS_PER_IMAGE),
    voteAccuracy: voteRight / images,
    inferenceCropAccuracy: inferenceRight / images,
    confusion, recall, images,
    ...(mirrored ? { policies: policyAccuracy(logits, mirrored, labels, numClasses) } : {}),
  };
}

export function evaluate(runner: ModelRunner, data: CropSet): Metrics {
  return metricsFromLogits(predictCrops(runner, data), data.labels, data.labelNames.length);
}
