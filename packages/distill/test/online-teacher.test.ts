// An online teacher (its network run on every sample as the student sees it) against the
// same teacher's cached logits: equal when the student sees the fixed crops, different
// when it sees augmented ones; the same with a gradient worker; refused on other faces; a
// fold with one never predicts the teacher on the fixed training crops.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../src/backend/index.js";
import { predictModelCrops } from "../src/evaluate.js";
import type { TrainConfig } from "../src/train.js";
import { modelFromCheckpoint, trainStudent } from "../src/train.js";
import { runFold } from "../src/fold.js";
import { trainStudent as trainBuilt } from "../dist/index.js";
import { largestWeightDifference, tempDir, tinyCropSet, trainedWeights } from "./helpers.js";

const temp = tempDir("online-teacher");
afterAll(() => temp.remove());

const data = tinyCropSet(16, 2);
const teacherConfig: TrainConfig = { architecture: "p1-XXS", epochs: 2, seed: 3, batchSize: 16, learningRate: 1e-3, dropout: 0 };
const student: TrainConfig = {
  architecture: "microexpnet", epochs: 2, seed: 5, batchSize: 16, learningRate: 1e-3, dropout: 0,
  distillation: { temperature: 4, lambda: 0.5 },
};
const checkpoint = join(temp.dir, "teacher.ckpt");
let cached: Float32Array;

beforeAll(async () => {
  await selectBackend("wasm");
  (await trainStudent(data, teacherConfig, { checkpointPath: checkpoint })).model.dispose();
  const model = modelFromCheckpoint(checkpoint, teacherConfig, data);
  cached = (await predictModelCrops(model, teacherConfig.architecture, data)).logits;
  model.dispose();
});

describe("online teacher", () => {
  it("trains the student as the cached logits do when it sees the fixed crops", async () => {
    const fromCache = await trainedWeights(await trainStudent(data, student, {}, cached));
    const online = await trainedWeights(await trainStudent(data, student, {}, { checkpoint, config: teacherConfig }));
    expect(largestWeightDifference(online, fromCache)).toBeLessThan(1e-5);
  });

  it("teaches on the augmented samples the student sees, which cached logits cannot", async () => {
    const augmented: TrainConfig = { ...student, sampling: "one-per-face", augment: {} };
    const fromCache = await trainedWeights(await trainStudent(data, augmented, {}, cached));
    const online = await trainedWeights(await trainStudent(data, augmented, {}, { checkpoint, config: teacherConfig }));
    expect(largestWeightDifference(online, fromCache)).toBeGreaterThan(1e-4);
  });

  it("gives one thread's weights with a gradient worker (the built package's worker)", async () => {
    const augmented: TrainConfig = { ...student, sampling: "one-per-face", augment: {}, batchSize: 8, epochs: 3 };
    const one = await trainedWeights(await trainBuilt(data, augmented, { threads: 1, backend: "wasm" }, { checkpoint, config: teacherConfig }));
    const two = await trainedWeights(await trainBuilt(data, augmented, { threads: 2, backend: "wasm" }, { checkpoint, config: teacherConfig }));
    expect(largestWeightDifference(two, one)).toBeLessThan(1e-4);
  });

  it("runs a fold without predicting the teacher's fixed training crops, and reports the teacher", async () => {
    const cacheDir = join(temp.dir, "fold-cache");
    const job = {
      fold: 0, runDir: join(temp.dir, "fold-run"), train: [...Array(12).keys()], test: [12, 13, 14, 15], dataHash: "tiny",
      student: { ...student, onlineTeacher: true }, teacher: { config: teacherConfig, cacheDir },
    };
    const result = await runFold(data, job);
    expect(result.teacherMetrics?.cropAccuracy).toBeGreaterThanOrEqual(0);
    const files = readdirSync(cacheDir);
    expect(files.filter((f) => f.endsWith(".metrics.json"))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith(".f32"))).toEqual([]);
  });

  it("refuses a teacher trained on other faces (here: another number of them), naming its checkpoint", async () => {
    await expect(trainStudent(tinyCropSet(24, 2), student, {}, { checkpoint, config: teacherConfig })).rejects.toThrow(/teacher\.ckpt: made by another configuration or on other faces/);
  });
});
