/**
 * What one training step sees: which (face, crop) samples, as network inputs (the paper's
 * fixed crops, or augmented ones) and targets (labels, optionally smoothed or mixed with
 * per-face soft targets such as FER+ votes, and the teacher's logits). The main thread and
 * the gradient workers fill their shares of a batch with the same code.
 */
import type { AugmentOptions } from "./augment.js";
import { augmentCrop, sampleSeed } from "./augment.js";
import type { CropSet } from "./crop-set.js";
import { CROP_PIXELS, CROPS_PER_IMAGE } from "./crop-set.js";
import { SeededRandom } from "./random.js";

/**
 * "all-crops": an epoch is every face's 8 crops (the paper's). "one-per-face": an epoch is
 * every face once, in one of its 8 crops drawn at random (with augmentation, the usual way).
 */
export type EpochSampling = "all-crops" | "one-per-face";

export const EPOCH_SAMPLINGS: readonly EpochSampling[] = ["all-crops", "one-per-face"];

export interface SampleRecipe {
  sampling: EpochSampling;
  augment?: AugmentOptions;
  /** Label smoothing epsilon: the target puts epsilon / classes on every class. */
  labelSmoothing: number;
  /** Weight of the per-face soft targets in the label term (0: hard labels only). */
  softTargetWeight: number;
}

export interface SampleSource {
  data: CropSet;
  /** The teacher's logits per (face * 8 + crop), when distilling. */
  teacherLogits?: Float32Array;
  /** A target distribution per face (faces x classes), e.g. FER+ crowd votes. */
  softTargets?: Float32Array;
}

export interface BatchBuffers {
  input: Float32Array;
  labels: Int32Array;
  /** Label-term target distributions (used when smoothing or soft targets are on). */
  targets: Float32Array;
  teacher: Float32Array;
}

export function allocateBatch(size: number, classes: number): BatchBuffers {
  return { input: new Float32Array(size * CROP_PIXELS), labels: new Int32Array(size), targets: new Float32Array(size * classes), teacher: new Float32Array(size * classes) };
}

export function samplesPerEpoch(data: CropSet, sampling: EpochSampling): number {
  return sampling === "all-crops" ? data.count * CROPS_PER_IMAGE : data.count;
}

/** The order of an epoch's samples, drawn from the run's generator. */
export function epochOrder(random: SeededRandom, data: CropSet, sampling: EpochSampling): Uint32Array {
  return random.permutation(samplesPerEpoch(data, sampling));
}

export function usesTargets(recipe: SampleRecipe): boolean {
  return recipe.labelSmoothing > 0 || recipe.softTargetWeight > 0;
}

/**
 * Fills `out` with the samples `ids` (entries of an epoch order), which sit at `position`,
 * `position + 1`, ... in epoch `epoch`: the place seeds each sample's random draws.
 */
export function fillBatch(source: SampleSource, recipe: SampleRecipe, seed: number, epoch: number, position: number, ids: ArrayLike<number>, out: BatchBuffers): void {
  const { data, teacherLogits, softTargets } = source;
  const classes = data.labelNames.length;
  const targets = usesTargets(recipe);
  if (recipe.softTargetWeight > 0 && !softTargets) throw new Error("soft targets were weighted but none were given");
  const smooth = recipe.labelSmoothing;
  const mix = recipe.softTargetWeight;
  for (let k = 0; k < ids.length; k++) {
    const needsRandom = recipe.sampling === "one-per-face" || recipe.augment !== undefined;
    const random = needsRandom ? new SeededRandom(sampleSeed(seed, epoch, position + k)) : undefined;
    const face = recipe.sampling === "all-crops" ? Math.floor(ids[k] / CROPS_PER_IMAGE) : ids[k];
    const crop = recipe.sampling === "all-crops" ? ids[k] % CROPS_PER_IMAGE : Math.floor(random!.next() * CROPS_PER_IMAGE);
    const start = (face * CROPS_PER_IMAGE + crop) * CROP_PIXELS;
    const pixels = data.pixels.subarray(start, start + CROP_PIXELS);
    if (recipe.augment) augmentCrop(pixels, out.input, k * CROP_PIXELS, random!, recipe.augment);
    else for (let p = 0; p < CROP_PIXELS; p++) out.input[k * CROP_PIXELS + p] = pixels[p];
    const label = data.labels[face];
    out.labels[k] = label;
    if (targets) {
      for (let c = 0; c < classes; c++) {
        const hard = c === label ? 1 : 0;
        const mixed = mix > 0 ? (1 - mix) * hard + mix * softTargets![face * classes + c] : hard;
        out.targets[k * classes + c] = (1 - smooth) * mixed + smooth / classes;
      }
    }
    if (teacherLogits) {
      const at = (face * CROPS_PER_IMAGE + crop) * classes;
      out.teacher.set(teacherLogits.subarray(at, at + classes), k * classes);
    }
  }
}
