// A teacher's cached logits, each crop's own or its face's mean over the 8 crops: the mean is
// what the student is taught with, a run of one kind never resumes as the other, and the
// mean needs cached logits.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../src/backend/index.js";
import type { TrainConfig } from "../src/train.js";
import { trainStudent } from "../src/train.js";
import { meanOverCrops } from "../src/teacher-crops.js";
import { largestWeightDifference, tempDir, tinyCropSet, trainedWeights } from "./helpers.js";

const temp = tempDir("teacher-crops");
afterAll(() => temp.remove());

const data = tinyCropSet(12, 2);
const student: TrainConfig = {
  architecture: "microexpnet", epochs: 1, seed: 5, batchSize: 16, learningRate: 1e-3, dropout: 0,
  distillation: { temperature: 4, lambda: 0.5 },
};
// Crops of one face disagree: crop k of face i scores class (i + k) % 2 higher.
const teacher = new Float32Array(12 * 8 * 2).map((_, j) => {
  const crop = Math.floor(j / 2) % 8, face = Math.floor(j / 16), c = j % 2;
  return c === (face + crop) % 2 ? 1 + crop : -crop;
});

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("meanOverCrops", () => {
  it("gives every crop its face's mean logits", () => {
    const mean = meanOverCrops(teacher, 2);
    // Face 0: class 0 gets 1, -1, 3, -3, 5, -5, 7, -7 over crops 0..7 (sum 0); class 1 gets 0, 2, -2, 4, -4, 6, -6, 8 (sum 8).
    for (let crop = 0; crop < 8; crop++) {
      expect(mean[crop * 2]).toBeCloseTo(0, 6);
      expect(mean[crop * 2 + 1]).toBeCloseTo(1, 6);
    }
    // Face 1 is face 0 with the classes swapped.
    expect(Array.from(mean.subarray(16, 18))).toEqual([1, 0]);
    expect(teacher[2]).toBe(-1); // the input is left as it was
  });

  it("refuses logits that are not whole faces", () => {
    expect(() => meanOverCrops(teacher.subarray(2), 2)).toThrow(/teacher logits hold 190 values, not a whole number of faces x 8 crops x 2 classes/);
  });
});

describe("trainStudent with teacherCrops", () => {
  it("teaches every crop with its face's mean, not its own logits", async () => {
    const meanConfig: TrainConfig = { ...student, teacherCrops: "mean" };
    const taughtMean = await trainedWeights(await trainStudent(data, meanConfig, {}, teacher));
    const givenMean = await trainedWeights(await trainStudent(data, student, {}, meanOverCrops(teacher, 2)));
    const own = await trainedWeights(await trainStudent(data, { ...student, teacherCrops: "own" }, {}, teacher));
    expect(largestWeightDifference(taughtMean, givenMean)).toBeLessThan(1e-6);
    expect(largestWeightDifference(taughtMean, own)).toBeGreaterThan(1e-4);
  });

  it("never resumes a run of the other kind", async () => {
    const checkpointPath = join(temp.dir, "own.ckpt");
    (await trainStudent(data, student, { checkpointPath }, teacher)).model.dispose();
    await expect(trainStudent(data, { ...student, teacherCrops: "mean" }, { checkpointPath }, teacher)).rejects.toThrow(/own\.ckpt: made by a different configuration/);
  });

  it("needs cached logits", async () => {
    await expect(trainStudent(data, { ...student, teacherCrops: "mean" }, {}, { checkpoint: "teacher.ckpt", config: { ...student, distillation: undefined } }))
      .rejects.toThrow(/teacherCrops "mean" averages a teacher's cached logits over each face's 8 crops, and none were given/);
  });
});
