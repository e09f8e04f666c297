/** The app-facing API: a weights file in, labelled expression scores out. */
import type { ForwardEngine } from "./engine.js";
import type { ModelWeights } from "./weights-format.js";
import { checkModelWeights, decodeWeights } from "./weights-format.js";
import { createJsEngine } from "./forward-js.js";
import { createWasmEngine, wasmGraphProblem } from "./wasm/engine-wasm.js";
import type { CropPolicy, FaceBox, FaceCropper, ImageLike } from "./image/index.js";
import { DEFAULT_CROP_POLICY, INPUT_SIZE, cropPolicyShape, jsCropper } from "./image/index.js";
import { createWasmCropper } from "./wasm/crop-wasm.js";

export type EngineChoice = "auto" | "wasm" | "js";

export interface ClassifierOptions {
  /**
   * "auto" (default) uses WebAssembly SIMD where the platform has it and the WebAssembly engine
   * runs the network's graph, else plain TypeScript (the reason is in `engineFallbackReason`).
   */
  engine?: EngineChoice;
  /** Names the weights in errors (a path or URL). */
  source?: string;
  /**
   * The classifier's crop policy, where a call names none. Default: the one the weights file
   * names (`model.crops`, the policy its card measured best within 1 ms a face), else
   * DEFAULT_CROP_POLICY.
   */
  crops?: CropPolicy;
}

export interface CropOptions {
  /**
   * Which crops of each face run through the network (see CropPolicy): their probabilities
   * are averaged (softmax of each crop's logits, then the mean). Default: the classifier's
   * `crops` (see ClassifierOptions.crops).
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
  /** The same probabilities by label: `prediction.probabilities.happy`. */
  probabilities: Record<string, number>;
  /** The network's outputs; with several crops, their mean (the probabilities are not its softmax). */
  logits: Float32Array;
}

/** Pixel arrays classify reads: one byte per channel. */
const EIGHT_BIT_ARRAYS = ["[object Uint8Array]", "[object Uint8ClampedArray]"];

/**
 * Throws unless the image's pixels are 8-bit (Uint8Array, Uint8ClampedArray or a Node Buffer):
 * floats or 16-bit values would otherwise be read as bytes and give a wrong answer.
 */
function checkEightBit(image: ImageLike, what: string): void {
  const data: unknown = image?.data;
  // Object.prototype.toString also knows typed arrays made in another realm (a worker, a vm context).
  const kind = Object.prototype.toString.call(data);
  if (!EIGHT_BIT_ARRAYS.includes(kind)) {
    const name = Array.isArray(data) ? "a plain Array" : data === undefined || data === null ? String(data) : kind.slice(8, -1);
    throw new TypeError(
      `${what}: image.data must hold 8-bit pixels (a Uint8Array, Uint8ClampedArray or Buffer of 0..255 values), got ${name}; ` +
        "scale other data to 0..255 and store it in a Uint8Array first",
    );
  }
}

export class ExpressionClassifier {
  /** The crops of one chunk, reused from call to call. */
  private chunk = new Float32Array(0);

  private constructor(
    readonly weights: ModelWeights,
    private readonly engine: ForwardEngine,
    /** Names the weights in errors. */
    private readonly source: string,
    private readonly cropper: FaceCropper,
    /** The crop policy of every call that names none (ClassifierOptions.crops). */
    readonly crops: CropPolicy,
    /** Why "auto" runs the TypeScript engine, not WebAssembly (undefined when it runs WebAssembly, or "js" was asked for). */
    readonly engineFallbackReason?: string,
  ) {}

  /** Builds a classifier from a weights file's bytes (or already decoded weights). */
  static async create(weights: Uint8Array | ArrayBuffer | ModelWeights, options: ClassifierOptions = {}): Promise<ExpressionClassifier> {
    const decoded = weights instanceof Uint8Array || weights instanceof ArrayBuffer ? decodeWeights(weights, options.source) : weights;
    if (decoded === weights) checkModelWeights(decoded, options.source);
    const source = options.source ?? "weights file";
    const crops = options.crops ?? (decoded.model.crops as CropPolicy | undefined) ?? DEFAULT_CROP_POLICY;
    cropPolicyShape(crops, options.crops ? `${source}: options.crops` : `${source}: the file's model.crops`);
    const choice = options.engine ?? "auto";
    let engine: ForwardEngine | null = null;
    let fallbackReason: string | undefined;
    if (choice !== "js") {
      const graphProblem = wasmGraphProblem(decoded.network);
      if (graphProblem && choice === "wasm") throw new Error(`engine 'wasm' was asked for, but ${graphProblem}`);
      if (graphProblem) fallbackReason = graphProblem;
      else {
        engine = await createWasmEngine(decoded.network);
        if (!engine && choice === "wasm") throw new Error("engine 'wasm' was asked for, but this platform has no WebAssembly SIMD");
        if (!engine) fallbackReason = "WebAssembly SIMD is not available here (or its kernel could not be compiled or get memory)";
      }
    }
    // The crops run where the network runs: in WebAssembly SIMD, or all in TypeScript.
    const cropper = engine ? ((await createWasmCropper()) ?? jsCropper) : jsCropper;
    return new ExpressionClassifier(decoded, engine ?? createJsEngine(decoded.network), source, cropper, crops, fallbackReason);
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
    return this.weights.network.graph.inputSize;
  }

  /**
   * Classifies one face: `image` is RGBA (like ImageData), RGB or gray pixels, `box` the
   * face in it (default: the whole image is the face). Applies the paper's crop policy, or
   * the one in `options.crops`.
   */
  classify(image: ImageLike, box?: FaceBox, options: CropOptions = {}): Prediction {
    checkEightBit(image, "classify");
    return this.classifyFaceCrops(1, options, (_, into, at, policy) => this.cropper.cropInto(image, box, policy, into, at))[0];
  }

  /** Classifies several faces of one image (e.g. every box a detector found) in one batch. */
  classifyFaces(image: ImageLike, boxes: readonly FaceBox[], options: CropOptions = {}): Prediction[] {
    checkEightBit(image, "classifyFaces");
    return this.classifyFaceCrops(boxes.length, options, (i, into, at, policy) => this.cropper.cropInto(image, boxes[i], policy, into, at));
  }

  /**
   * Classifies many faces in one batch: face i is `boxes[i]` of `images[i]`, or the whole
   * image where no box is given (images already cropped to the face).
   */
  classifyBatch(images: readonly ImageLike[], boxes?: readonly (FaceBox | undefined)[], options: CropOptions = {}): Prediction[] {
    images.forEach((image, i) => checkEightBit(image, `classifyBatch: image ${i}`));
    if (boxes && boxes.length !== images.length) throw new RangeError(`classifyBatch: ${images.length} images but ${boxes.length} boxes`);
    return this.classifyFaceCrops(images.length, options, (i, into, at, policy) => this.cropper.cropInto(images[i], boxes?.[i], policy, into, at));
  }

  /** Crops `count` faces (cropFace writes face i's inputs at `at`), runs them in chunks, averages each face's crops. */
  private classifyFaceCrops(
    count: number, options: CropOptions,
    cropFace: (face: number, into: Float32Array, at: number, policy: CropPolicy) => void,
  ): Prediction[] {
    if (this.inputSize !== INPUT_SIZE) {
      // The crops are the paper's 84x84 inputs: fed to another input size they would be misread.
      throw new Error(`${this.source}: classify crops faces to ${INPUT_SIZE}x${INPUT_SIZE} inputs, but this network takes ${this.inputSize}x${this.inputSize}; use classifyInputs`);
    }
    const policy = options.crops ?? this.crops;
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
      // Crops of 8-bit pixels are finite 0..255 values: only the logits need checking.
      for (let f = 0; f < faces; f++) cropFace(start + f, chunk, f * perFace * size, policy);
      const logits = this.logitsOf(chunk.subarray(0, faces * perFace * size), faces * perFace, start, perFace);
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
    for (let i = 0; i < inputs.length; i++) {
      // The network's max-pooling and ReLU would quietly drop a NaN.
      if (!Number.isFinite(inputs[i])) {
        throw new RangeError(`classifyInputs: input ${inputs[i]} at index ${i % size} of face ${Math.floor(i / size)} is not a finite number`);
      }
    }
    const n = this.labels.length;
    const out: Prediction[] = [];
    for (let start = 0; start < count; start += CHUNK_INPUTS) {
      const end = Math.min(count, start + CHUNK_INPUTS);
      const logits = this.logitsOf(inputs.subarray(start * size, end * size), end - start, start, 1);
      for (let b = 0; b < end - start; b++) out.push(this.averagePrediction(logits.subarray(b * n, (b + 1) * n), 1));
    }
    return out;
  }

  /**
   * The network's logits for `count` raw inputs (normalized here as the weights ask), the
   * crops of faces firstFace.. (perFace each); throws on a non-finite one.
   */
  private logitsOf(inputs: Float32Array, count: number, firstFace: number, perFace: number): Float32Array {
    const { scale, offset } = this.weights.normalization;
    const x = scale === 1 && offset === 0 ? inputs : inputs.map((v) => v * scale + offset);
    const logits = this.engine.forward(x, count);
    const n = this.labels.length;
    for (let i = 0; i < count * n; i++) {
      if (!Number.isFinite(logits[i])) {
        // NaN or an overflow: any label would be a guess. Damaged weights or inputs outside 0..255.
        throw new RangeError(
          `${this.source}: the network gave a non-finite score (${logits[i]}) for label ${this.labels[i % n]} of face ${firstFace + Math.floor(i / n / perFace)}; ` +
            "the weights or the input are not usable (inputs are 0..255 gray values)",
        );
      }
    }
    return logits;
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
    const byLabel = Object.fromEntries(scores.map((s) => [s.label, s.probability]));
    return { label: this.labels[best], probability: probabilities[best], scores, probabilities: byLabel, logits };
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
