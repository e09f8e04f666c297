/** The app-facing API: a weights file in, labelled expression scores out. */
import type { ForwardEngine } from "./engine.js";
import type { ModelWeights } from "./weights-format.js";
import { checkModelWeights, decodeWeights } from "./weights-format.js";
import { createJsEngine } from "./forward-js.js";
import { createWasmEngine } from "./wasm/engine-wasm.js";
import type { FaceBox, ImageLike } from "./image/index.js";
import { paperInferenceCrop } from "./image/index.js";

export type EngineChoice = "auto" | "wasm" | "js";

export interface ClassifierOptions {
  /** "auto" (default) uses WebAssembly SIMD where the platform has it, else plain TypeScript. */
  engine?: EngineChoice;
  /** Names the weights in errors (a path or URL). */
  source?: string;
}

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
  private constructor(
    readonly weights: ModelWeights,
    private readonly engine: ForwardEngine,
    /** Names the weights in errors. */
    private readonly source: string,
  ) {}

  /** Builds a classifier from a weights file's bytes (or already decoded weights). */
  static async create(weights: Uint8Array | ArrayBuffer | ModelWeights, options: ClassifierOptions = {}): Promise<ExpressionClassifier> {
    const decoded = weights instanceof Uint8Array || weights instanceof ArrayBuffer ? decodeWeights(weights, options.source) : weights;
    if (decoded === weights) checkModelWeights(decoded, options.source);
    const choice = options.engine ?? "auto";
    let engine: ForwardEngine | null = null;
    if (choice !== "js") {
      engine = await createWasmEngine(decoded.network);
      if (!engine && choice === "wasm") throw new Error("engine 'wasm' was asked for, but this platform has no WebAssembly SIMD");
    }
    return new ExpressionClassifier(decoded, engine ?? createJsEngine(decoded.network), options.source ?? "weights file");
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
   * face in it (default: the whole image is the face). Applies the paper's crop policy.
   */
  classify(image: ImageLike, box?: FaceBox): Prediction {
    checkEightBit(image, "classify");
    return this.classifyInputs(paperInferenceCrop(image, box), 1)[0];
  }

  /** Classifies several faces of one image (e.g. every box a detector found) in one batch. */
  classifyFaces(image: ImageLike, boxes: readonly FaceBox[]): Prediction[] {
    checkEightBit(image, "classifyFaces");
    return this.classifyInputs(this.stack(boxes.map((box) => paperInferenceCrop(image, box))), boxes.length);
  }

  /**
   * Classifies many faces in one batch: face i is `boxes[i]` of `images[i]`, or the whole
   * image where no box is given (images already cropped to the face).
   */
  classifyBatch(images: readonly ImageLike[], boxes?: readonly (FaceBox | undefined)[]): Prediction[] {
    images.forEach((image, i) => checkEightBit(image, `classifyBatch: image ${i}`));
    if (boxes && boxes.length !== images.length) throw new RangeError(`classifyBatch: ${images.length} images but ${boxes.length} boxes`);
    return this.classifyInputs(this.stack(images.map((image, i) => paperInferenceCrop(image, boxes?.[i]))), images.length);
  }

  /**
   * Classifies network inputs that are already preprocessed: `count` images of
   * inputSize*inputSize raw 0..255 grayscale values, one after the other.
   */
  classifyInputs(inputs: Float32Array, count: number): Prediction[] {
    for (let i = 0; i < inputs.length; i++) {
      // The network's max-pooling and ReLU would quietly drop a NaN.
      if (!Number.isFinite(inputs[i])) {
        throw new RangeError(`classifyInputs: input ${inputs[i]} at index ${i % this.inputSize ** 2} of face ${Math.floor(i / this.inputSize ** 2)} is not a finite number`);
      }
    }
    const { scale, offset } = this.weights.normalization;
    const x = scale === 1 && offset === 0 ? inputs : inputs.map((v) => v * scale + offset);
    const logits = this.engine.forward(x, count);
    const n = this.labels.length;
    for (let i = 0; i < count * n; i++) {
      if (!Number.isFinite(logits[i])) {
        // NaN or an overflow: any label would be a guess. Damaged weights or inputs outside 0..255.
        throw new RangeError(
          `${this.source}: the network gave a non-finite score (${logits[i]}) for label ${this.labels[i % n]} of face ${Math.floor(i / n)}; ` +
            "the weights or the input are not usable (inputs are 0..255 gray values)",
        );
      }
    }
    const out: Prediction[] = [];
    for (let b = 0; b < count; b++) out.push(this.predictionOf(logits.slice(b * n, (b + 1) * n)));
    return out;
  }

  private stack(crops: Float32Array[]): Float32Array {
    const size = this.inputSize * this.inputSize;
    const out = new Float32Array(crops.length * size);
    crops.forEach((crop, i) => out.set(crop, i * size));
    return out;
  }

  private predictionOf(logits: Float32Array): Prediction {
    const probabilities = softmax(logits);
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
