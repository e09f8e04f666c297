/**
 * Training data held in memory as the paper's 8 fixed crops of every face, 84x84 uint8
 * each (the crops are made on uint8 images, as the authors' OpenCV code did). Backed by
 * a SharedArrayBuffer where possible so that fold workers read it without copies.
 */
import { INPUT_SIZE } from "@microexp/infer";

export const CROPS_PER_IMAGE = 8;
export const CROP_PIXELS = INPUT_SIZE * INPUT_SIZE;

export interface CropSet {
  /** Number of images. */
  count: number;
  /** count * 8 * 84 * 84 pixels: image i, crop c starts at (i * 8 + c) * 7056. */
  pixels: Uint8Array;
  /** Label index of each image. */
  labels: Int32Array;
  labelNames: string[];
  /** Where each image came from (for reports and errors). */
  paths: string[];
  /** Optional target distribution per image (count x classes), e.g. FER+ crowd votes. */
  softTargets?: Float32Array;
}

export function allocateCropSet(count: number, labelNames: string[], paths: string[]): CropSet {
  const bytes = count * CROPS_PER_IMAGE * CROP_PIXELS;
  const buffer = typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const labelsBuffer = typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(count * 4) : new ArrayBuffer(count * 4);
  return { count, pixels: new Uint8Array(buffer), labels: new Int32Array(labelsBuffer), labelNames, paths };
}

/** The images at the given indices, as a new set (in shared memory too, for gradient workers). */
export function subsetCropSet(set: CropSet, indices: ArrayLike<number>): CropSet {
  const per = CROPS_PER_IMAGE * CROP_PIXELS;
  const out = allocateCropSet(indices.length, set.labelNames, []);
  const classes = set.labelNames.length;
  if (set.softTargets) out.softTargets = new Float32Array(indices.length * classes);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    out.pixels.set(set.pixels.subarray(i * per, (i + 1) * per), k * per);
    out.labels[k] = set.labels[i];
    out.paths.push(set.paths[i]);
    out.softTargets?.set(set.softTargets!.subarray(i * classes, (i + 1) * classes), k * classes);
  }
  return out;
}

/** Float32 network input for the given (image, crop) samples: sample s = image * 8 + crop. */
export function gatherInputs(set: CropSet, samples: ArrayLike<number>, out = new Float32Array(samples.length * CROP_PIXELS)): Float32Array {
  for (let k = 0; k < samples.length; k++) {
    const start = samples[k] * CROP_PIXELS;
    const src = set.pixels.subarray(start, start + CROP_PIXELS);
    const base = k * CROP_PIXELS;
    for (let p = 0; p < CROP_PIXELS; p++) out[base + p] = src[p];
  }
  return out;
}
