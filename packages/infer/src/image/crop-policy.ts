import { INFERENCE_CROP_OFFSET, INPUT_SIZE, TRAINING_CROP_OFFSETS, cropToInput, paperFace } from "./paper-crop.js";
import type { Box, ImageLike } from "./types.js";

/**
 * Which crops of a face the classifier runs; their probabilities are averaged (softmax of
 * each crop's logits, then the mean).
 * - "single": the paper's inference crop, the 224x224 window at (32, 32) of the 256x256 face.
 * - "eight": the paper's 8 training crops (TRAINING_CROP_OFFSETS), which share one 256 resize.
 * - "four-flip": the four corner windows of the 8, (0, 0), (0, 32), (32, 0), (32, 32) (the
 *   usual corner crops of test-time augmentation), each with its mirror: 8 inputs, as "eight".
 * - "single-flip", "eight-flip": the same crops and each one mirrored left to right (2 or 16).
 */
export type CropPolicy = "single" | "single-flip" | "eight" | "four-flip" | "eight-flip";

export const CROP_POLICIES: readonly CropPolicy[] = ["single", "single-flip", "eight", "four-flip", "eight-flip"];

/**
 * The policy of a weights file that names none (each shipped file names its own): MicroExpNet's,
 * the most accurate within 1 ms a face for it. On FER2013's PublicTest, with the shipped
 * microexpnet-fer2013 2.2.0 (trained on Training only), the 8 crops score 60.07 % against
 * 57.12 % for the single crop and 60.04 % for four-flip (the same cost); eight-flip 59.82 % at
 * twice the cost; "single" stays the fastest (the paper's own).
 */
export const DEFAULT_CROP_POLICY: CropPolicy = "eight";

export interface CropPolicyShape {
  /** (row, col) of each 224x224 window in the 256x256 face. */
  readonly offsets: ReadonlyArray<readonly [row: number, col: number]>;
  /** Whether each crop is followed by its mirror image. */
  readonly flip: boolean;
  /** Network inputs per face: offsets.length, doubled with flips. */
  readonly count: number;
}

const SHAPES: Record<CropPolicy, CropPolicyShape> = {
  single: { offsets: [INFERENCE_CROP_OFFSET], flip: false, count: 1 },
  "single-flip": { offsets: [INFERENCE_CROP_OFFSET], flip: true, count: 2 },
  eight: { offsets: TRAINING_CROP_OFFSETS, flip: false, count: 8 },
  "four-flip": { offsets: [[0, 0], [0, 32], [32, 0], [32, 32]], flip: true, count: 8 },
  "eight-flip": { offsets: TRAINING_CROP_OFFSETS, flip: true, count: 16 },
};

/** The crops a policy takes; throws a RangeError naming `what` and the valid policies for anything else. */
export function cropPolicyShape(policy: CropPolicy, what = "crops"): CropPolicyShape {
  const shape = Object.hasOwn(SHAPES, policy) ? SHAPES[policy] : undefined;
  if (!shape) throw new RangeError(`${what}: unknown crop policy ${JSON.stringify(policy)}; use one of ${CROP_POLICIES.join(", ")}`);
  return shape;
}

/** A square INPUT_SIZE x INPUT_SIZE network input mirrored left to right. */
export function mirrorInput(input: Float32Array): Float32Array {
  const side = INPUT_SIZE;
  const out = new Float32Array(input.length);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) out[y * side + x] = input[y * side + side - 1 - x];
  }
  return out;
}

/**
 * The network inputs of a policy for the face `box` of `image` (the whole image when there is
 * none): per window in offsets order, its 84*84 raw 0..255 floats, then (with flips) its mirror.
 * The plain TypeScript reference of every faster crop.
 */
export function paperPolicyCrops(image: ImageLike, box: Box | undefined, policy: CropPolicy): Float32Array[] {
  const { offsets, flip } = cropPolicyShape(policy);
  const face = paperFace(image, box);
  return offsets.flatMap(([row, col]) => {
    const input = cropToInput(face, row, col);
    return flip ? [input, mirrorInput(input)] : [input];
  });
}

/** Writes a policy's network inputs for one face into a batch buffer. */
export interface FaceCropper {
  readonly kind: "js" | "wasm";
  /**
   * Writes paperPolicyCrops(image, box, policy), one after the other, into `into` from
   * index `at` (count * 84 * 84 floats).
   */
  cropInto(image: ImageLike, box: Box | undefined, policy: CropPolicy, into: Float32Array, at: number): void;
}

/** The TypeScript cropper (the reference, and the fallback where WebAssembly SIMD is missing). */
export const jsCropper: FaceCropper = {
  kind: "js",
  cropInto(image, box, policy, into, at) {
    paperPolicyCrops(image, box, policy).forEach((input, i) => into.set(input, at + i * input.length));
  },
};
