/** The app-facing API: a weights file in, labelled expression scores out. */
import type { ForwardEngine } from "./engine.js";
import type { ModelWeights } from "./weights-format.js";
import { decodeWeights } from "./weights-format.js";
import { createJsEngine } from "./forward-js.js";
import { createWasmEngine } from "./wasm/engine-wasm.js";
import type { CropPolicy, FaceBox, FaceCropper, ImageLike } from "./image/index.js";
import { DEFAULT_CROP_POLICY, cropPolicyShape, jsCropper } from "./image/index.js";
import { createWasmCropper } from "./wasm/crop-wasm.js";

export type EngineChoice = "auto" | "wasm" | "js";

export interface ClassifierOptions {
  /** "auto" (default) uses WebAssembly SIMD where the platform has it, else plain TypeScript. */
  engine?: EngineChoice;
  /** Names the weights in errors (a path or URL). */
  source?: string;
}

export interface CropOptions {
  /**
   * Which crops of each face run through the network (see CropPolicy): their probabilities
   * are averaged (softmax of each crop's logits, then the mean). Default: DEFAULT_CROP_POLICY,
   * the paper's single inference crop.
   */
  crops?: CropPolicy;
}

/**
 * Network inputs per forward call: batches run in chunks this size, so that each chunk's
 * crops and activations stay in cache (a 64-face batch is then no slower per face than one face).
 */
export const CHUNK_INPUTS = 8;

export interface ExpressionScore {
  label: string;
  probability: number;
}

export interface Prediction {
  /** The most probable label. */
  label: string;
  probability: number;
  /** Every label with its probability, in the weights' label order. */
  scores: ExpressionScore[];
  /** The network's outputs; with several crops, their mean (the probabilities are not its softmax). */
  logits: Float32Array;
}

export class ExpressionClassifier {
  /** The crops of one chunk, reused from call to call. */
  private chunk = new Float32Array(0);

  private constructor(
    readonly weights: ModelWeights,
    private readonly engine: ForwardEngine,
    private readonly cropper: FaceCropper,
  ) {}

  /** Builds a classifier from a weights file's bytes (or already decoded weights). */
  static async create(weights: Uint8Array | ArrayBuffer | ModelWeights, options: ClassifierOptions = {}): Promise<ExpressionClassifier> {
    const decoded = weights instanceof Uint8Array || weights instanceof ArrayBuffer ? decodeWeights(weights, options.source) : weights;
    const choice = options.engine ?? "auto";
    let engine: ForwardEngine | null = null;
    if (choice !== "js") {
      engine = await createWasmEngine(decoded.network);
      if (!engine && choice === "wasm") throw new Error("engine 'wasm' was asked for, but this platform has no WebAssembly SIMD");
    }
    // The crops run where the network runs: in WebAssembly SIMD, or all in TypeScript.
    const cropper = engine ? ((await createWasmCropper()) ?? jsCropper) : jsCropper;
    return new ExpressionClassifier(decoded, engine ?? createJsEngine(decoded.network), cropper);
  }

  /** "wasm" or "js": which forward pass runs. */
  get engineKind(): ForwardEngine["kind"] {
    return this.engine.kind;
  }

  get labels(): readonly string[] {
    return this.weights.labels;
  }

  /** Side of the square grayscale input the network takes (84). */
  get inputSize(): number {
    return this.weights.network.spec.inputSize;
  }

  /**
   * Classifies one face: `image` is RGBA (like ImageData), RGB or gray pixels, `box` the
   * face in it (default: the whole image is the face). Applies the paper's crop policy, or
   * the one in `options.crops`.
   */
  classify(image: ImageLike, box?: FaceBox, options: CropOptions = {}): Prediction {
    return this.classifyFaceCrops(1, options, (_, into, at, policy) => this.cropper.cropInto(image, box, policy, into, at))[0];
  }

  /** Classifies several faces of one image (e.g. every box a detector found) in one batch. */
  classifyFaces(image: ImageLike, boxes: readonly FaceBox[], options: CropOptions = {}): Prediction[] {
    return this.classifyFaceCrops(boxes.length, options, (i, into, at, policy) => this.cropper.cropInto(image, boxes[i], policy, into, at));
  }

  /** Classifies many whole-image faces (already cropped to the face) in one batch. */
  classifyBatch(images: readonly ImageLike[], options: CropOptions = {}): Prediction[] {
    return this.classifyFaceCrops(images.length, options, (i, into, at, policy) => this.cropper.cropInto(images[i], undefined, policy, into, at));
  }

  /** Crops `count` faces (cropFace writes face i's inputs at `at`), runs them in chunks, averages each face's crops. */
  private classifyFaceCrops(
    count: number, options: CropOptions,
    cropFace: (face: number, into: Float32Array, at: number, policy: CropPolicy) => void,
  ): Prediction[] {
    const policy = options.crops ?? DEFAULT_CROP_POLICY;
    const perFace = cropPolicyShape(policy, "classify").count;
    const size = this.inputSize * this.inputSize;
    const n = this.labels.length;
    const facesPerChunk = Math.max(1, Math.floor(CHUNK_INPUTS / perFace));
    const chunkLength = Math.min(count, facesPerChunk) * perFace * size;
    if (this.chunk.length < chunkLength) this.chunk = new Float32Array(chunkLength);
    const chunk = this.chunk;
    const out: Prediction[] = [];
    for (let start = 0; start < count; start += facesPerChunk) {
      const faces = Math.min(facesPerChunk, count - start);
      for (let f = 0; f < faces; f++) cropFace(start + f, chunk, f * perFace * size, policy);
      const logits = this.logitsOf(chunk.subarray(0, faces * perFace * size), faces * perFace);
      for (let f = 0; f < faces; f++) out.push(this.averagePrediction(logits.subarray(f * perFace * n, (f + 1) * perFace * n), perFace));
    }
    return out;
  }

  /**
   * Classifies network inputs that are already preprocessed: `count` images of
   * inputSize*inputSize raw 0..255 grayscale values, one after the other.
   */
  classifyInputs(inputs: Float32Array, count: number): Prediction[] {
    const size = this.inputSize * this.inputSize;
    if (!Number.isInteger(count) || count < 0 || inputs.length !== count * size) throw new Error(`classifyInputs: expected ${count} x ${size} input values, got ${inputs.length}`);
    const n = this.labels.length;
    const out: Prediction[] = [];
    for (let start = 0; start < count; start += CHUNK_INPUTS) {
      const end = Math.min(count, start + CHUNK_INPUTS);
      const logits = this.logitsOf(inputs.subarray(start * size, end * size), end - start);
      for (let b = 0; b < end - start; b++) out.push(this.averagePrediction(logits.subarray(b * n, (b + 1) * n), 1));
    }
    return out;
  }

  /** The network's logits for `count` raw inputs (normalized here as the weights ask). */
  private logitsOf(inputs: Float32Array, count: number): Float32Array {
    const { scale, offset } = this.weights.normalization;
    const x = scale === 1 && offset === 0 ? inputs : inputs.map((v) => v * scale + offset);
    return this.engine.forward(x, count);
  }

  /** One face's prediction from its crops' logits (`crops` rows): the mean of their softmaxes. */
  private averagePrediction(cropLogits: Float32Array, crops: number): Prediction {
    const n = this.labels.length;
    const probabilities = new Float64Array(n);
    const logits = new Float32Array(n);
    for (let c = 0; c < crops; c++) {
      const row = cropLogits.subarray(c * n, (c + 1) * n);
      const p = softmax(row);
      for (let i = 0; i < n; i++) {
        probabilities[i] += p[i] / crops;
        logits[i] += row[i] / crops;
      }
    }
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
    const scores = this.labels.map((label, i) => ({ label, probability: probabilities[i] }));
    return { label: this.labels[best], probability: probabilities[best], scores, logits };
  }
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** Fetches a weights file by URL (browsers, workers, and Node for http(s) URLs) and builds a classifier. */
export async function loadClassifier(url: string | URL, options: ClassifierOptions = {}): Promise<ExpressionClassifier> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  return ExpressionClassifier.create(await response.arrayBuffer(), { source: String(url), ...options });
}
