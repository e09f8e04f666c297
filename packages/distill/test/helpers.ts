// Shared by the distill tests: tiny generated crop sets and temporary folders.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CropSet } from "../src/crop-set.js";
import { allocateCropSet, CROP_PIXELS, CROPS_PER_IMAGE } from "../src/crop-set.js";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { seededRandom } from "../../../test-support/random.js";

/** Deterministic uniform [0, 1) numbers (mulberry32), the project's one generator. */
export const uniform = seededRandom;

/**
 * `count` images of `classes` classes that differ visibly: class k is bright in the k-th vertical
 * band of the image and dark elsewhere, with pixel noise; each of the 8 crops shifts the band a little.
 */
export function tinyCropSet(count: number, classes = 2, seed = 7): CropSet {
  const labelNames = Array.from({ length: classes }, (_, k) => `class${k}`);
  const set = allocateCropSet(count, labelNames, Array.from({ length: count }, (_, i) => `generated/${i}.png`));
  const random = uniform(seed);
  const band = 84 / classes;
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    set.labels[i] = label;
    for (let c = 0; c < CROPS_PER_IMAGE; c++) {
      const shift = c - 4;
      const base = (i * CROPS_PER_IMAGE + c) * CROP_PIXELS;
      for (let y = 0; y < 84; y++) {
        for (let x = 0; x < 84; x++) {
          const inBand = Math.floor((x + shift + 84) % 84 / band) === label;
          set.pixels[base + y * 84 + x] = Math.round((inBand ? 190 : 60) + random() * 40 - 20);
        }
      }
    }
  }
  return set;
}

/** A fresh temporary folder and a function that removes it. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `microexp-distill-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The largest absolute difference between two arrays, and the largest magnitude of the reference. */
export function maxDifference(actual: ArrayLike<number>, reference: ArrayLike<number>): { diff: number; scale: number } {
  let diff = 0, scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - reference[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return { diff, scale };
}

/** A trained model's weights, read out; the model is disposed. */
export async function trainedWeights(result: { model: { trainableWeights: Array<{ read(): { data(): Promise<unknown> } }>; dispose(): void } }): Promise<Float32Array[]> {
  const values = await Promise.all(result.model.trainableWeights.map((w) => w.read().data() as Promise<Float32Array>));
  result.model.dispose();
  return values;
}

/** The largest absolute difference between two models' weights (as trainedWeights reads them). */
export function largestWeightDifference(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((values, i) => values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j])))));
  return worst;
}

export interface StepResult { loss: number; grads: Map<string, Float32Array> }

/** The cross-entropy loss of one batch and its gradient for every trainable weight, by variable name. */
export function lossAndGradients(model: tfl.LayersModel, x: tf.Tensor, labels: tf.Tensor, training: boolean): StepResult {
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training }) as tf.Tensor) as tf.Scalar);
  const result = { loss: value.dataSync()[0], grads: new Map(Object.entries(grads).map(([name, g]) => [name, g.dataSync() as Float32Array])) };
  tf.dispose([value, ...Object.values(grads)]);
  return result;
}
