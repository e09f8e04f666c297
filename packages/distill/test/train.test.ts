// trainStudent on a tiny generated crop set: the loss goes down, an interrupted run resumes
// to exactly the weights of an uninterrupted one, and teacher logits are computed once.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../src/backend/index.js";
import { cachedTeacherLogits } from "../src/fold.js";
import { readCheckpoint } from "../src/checkpoint.js";
import type { TrainConfig, TrainProgress } from "../src/train.js";
import { modelFromCheckpoint, modelFromRunCheckpoint, trainStudent } from "../src/train.js";
import { tempDir, tinyCropSet } from "./helpers.js";

const temp = tempDir("train");
afterAll(() => temp.remove());
beforeAll(async () => {
  await selectBackend("wasm");
});

const data = tinyCropSet(16, 2);
// Dropout 0: tfjs's dropout is not seeded, so only then is training deterministic.
const config: TrainConfig = { architecture: "microexpnet", epochs: 3, seed: 5, batchSize: 16, learningRate: 1e-3, dropout: 0 };

async function weightsOf(result: Awaited<ReturnType<typeof trainStudent>>): Promise<Float32Array[]> {
  const values = await Promise.all(result.model.trainableWeights.map((w) => w.read().data() as Promise<Float32Array>));
  result.model.dispose();
  return values;
}

describe("trainStudent", () => {
  it("lowers the loss on two visibly different classes, and leaves no tensor behind", async () => {
    const tensorsBefore = tf.memory().numTensors;
    const progress: TrainProgress[] = [];
    const result = await trainStudent(data, config, { onProgress: (p) => progress.push(p) });
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(result.epochsRun).toBe(3);
    expect(result.history[2].loss).toBeLessThan(result.history[0].loss * 0.8);
    // 16 images x 8 crops in batches of 16: 8 steps per epoch.
    expect(progress.length).toBe(24);
    expect(progress[23]).toMatchObject({ epoch: 3, epochs: 3, step: 8, steps: 8 });
    // Progress carries the epoch's running mean loss, which at its last step is the epoch's loss.
    expect(progress[23].epochLoss).toBeCloseTo(result.history[2].loss, 10);
    expect(result.samplesPerSecond).toBeGreaterThan(0);
    result.model.dispose();
    // Adam's moments started from zero tensors that stayed allocated after every run (2 per weight).
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  const sgd: TrainConfig = { ...config, learningRate: 1e-2, optimizer: { kind: "sgd" }, weightDecay: 1e-3 };
  it.each([["Adam", config], ["SGD with Nesterov momentum", sgd]] as const)("resumes an interrupted run to the same weights as an uninterrupted one (%s)", async (name, config) => {
    const straight = await trainStudent(data, config, { checkpointPath: join(temp.dir, `straight-${name}.ckpt`) });
    const straightHistory = straight.history;
    const expected = await weightsOf(straight);

    // Killed during epoch 2: training stops after the current step, the epoch-1 checkpoint stays.
    const checkpointPath = join(temp.dir, `interrupted-${name}.ckpt`);
    const controller = new AbortController();
    const first = await trainStudent(data, config, {
      checkpointPath, signal: controller.signal,
      onProgress: (p) => { if (p.epoch === 2 && p.step === 3) controller.abort(); },
    });
    expect(first.epochsRun).toBe(1);
    first.model.dispose();
    expect(readCheckpoint(checkpointPath)!.epoch).toBe(1);

    const resumed = await trainStudent(data, config, { checkpointPath });
    expect(resumed.epochsRun).toBe(2);
    expect(resumed.history).toEqual(straightHistory);
    const actual = await weightsOf(resumed);
    expect(actual.length).toBe(expected.length);
    actual.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(expected[i])));
  });

  it("keeps batch norm's statistics in its checkpoints: a dsnet run resumes to the same weights and statistics", async () => {
    const bn: TrainConfig = { architecture: "dsnet", epochs: 2, seed: 3, batchSize: 8, learningRate: 1e-3, dropout: 0, sampling: "one-per-face" };
    const all = async (result: Awaited<ReturnType<typeof trainStudent>>) => {
      const values = await Promise.all(result.model.weights.map((w) => w.read().data() as Promise<Float32Array>));
      result.model.dispose();
      return values.map((v) => Array.from(v));
    };
    const expected = await all(await trainStudent(data, bn, { checkpointPath: join(temp.dir, "bn-straight.ckpt") }));
    const checkpointPath = join(temp.dir, "bn-interrupted.ckpt");
    const controller = new AbortController();
    const first = await trainStudent(data, bn, { checkpointPath, signal: controller.signal, onProgress: (p) => { if (p.epoch === 2) controller.abort(); } });
    expect(first.epochsRun).toBe(1);
    first.model.dispose();
    expect(await all(await trainStudent(data, bn, { checkpointPath }))).toEqual(expected);

    // A finished run's network, rebuilt from its checkpoint, is the one it ended with.
    const rebuilt = modelFromCheckpoint(join(temp.dir, "bn-straight.ckpt"), bn, data);
    expect(await Promise.all(rebuilt.weights.map(async (w) => Array.from(await w.read().data())))).toEqual(expected);
    rebuilt.dispose();
    expect(() => modelFromCheckpoint(join(temp.dir, "bn-straight.ckpt"), { ...bn, learningRate: 2e-3 }, data)).toThrow(/made by another configuration/);
    expect(() => modelFromCheckpoint(join(temp.dir, "bn-straight.ckpt"), { ...bn, epochs: 3 }, data)).toThrow(/training stopped at epoch 2 of 3/);
    expect(() => modelFromCheckpoint(join(temp.dir, "bn-straight.ckpt"), bn, tinyCropSet(12, 2))).toThrow(/or on other faces/);
    // Without the faces (a run folder's fold): the network's own settings and the labels are checked.
    const fromRun = modelFromRunCheckpoint(join(temp.dir, "bn-straight.ckpt"), { ...bn, learningRate: 2e-3 }, data.labelNames);
    expect(await Promise.all(fromRun.weights.map(async (w) => Array.from(await w.read().data())))).toEqual(expected);
    fromRun.dispose();
    expect(() => modelFromRunCheckpoint(join(temp.dir, "bn-straight.ckpt"), { ...bn, seed: 4 }, data.labelNames)).toThrow(/bn-straight\.ckpt: made with seed 3, the run's configuration says 4/);
    expect(() => modelFromRunCheckpoint(join(temp.dir, "bn-straight.ckpt"), bn, ["x", ...data.labelNames])).toThrow(/made with classes/);
  });

  it("refuses a checkpoint made by another configuration", async () => {
    const checkpointPath = join(temp.dir, "straight-Adam.ckpt");
    await expect(trainStudent(data, { ...config, learningRate: 5e-4 }, { checkpointPath })).rejects.toThrow(/straight-Adam.ckpt: made by a different configuration/);
    // Another optimizer is another configuration (its slots would not fit either).
    await expect(trainStudent(data, { ...config, optimizer: { kind: "sgd" } }, { checkpointPath })).rejects.toThrow(/made by a different configuration/);
  });

  it("trains with the KD loss on teacher logits, and checks their size", async () => {
    const teacher = new Float32Array(16 * 8 * 2).map((_, i) => (i % 2 === (Math.floor(i / 16) % 2) ? 3 : -3));
    const distilled = { ...config, epochs: 1, distillation: { temperature: 8, lambda: 0.5 } };
    const result = await trainStudent(data, distilled, {}, teacher);
    expect(result.history).toHaveLength(1);
    expect(Number.isFinite(result.history[0].loss)).toBe(true);
    result.model.dispose();
    await expect(trainStudent(data, distilled, {}, teacher.subarray(1))).rejects.toThrow(/teacher logits hold 255 values/);
    await expect(trainStudent(data, distilled)).rejects.toThrow(/without a teacher/);
    await expect(trainStudent(data, config, {}, teacher)).rejects.toThrow(/a teacher was given without distillation options/);
  });
});

describe("teacher logits", () => {
  it("are computed once and then read from the cache", async () => {
    const cacheDir = join(temp.dir, "teacher-cache");
    const teacher = { config: { architecture: "p1-XXS", epochs: 1, seed: 3, batchSize: 32, learningRate: 1e-3, dropout: 0 }, cacheDir };
    const train = Array.from({ length: 16 }, (_, i) => i);
    let events = 0;
    const first = await cachedTeacherLogits(data, train, teacher, "hash-a", { onEvent: () => events++ });
    expect(first.fromCache).toBe(false);
    expect(events).toBeGreaterThan(0);
    expect(first.logits.length).toBe(16 * 8 * 2);
    const written = statSync(first.cacheFile).mtimeMs;

    events = 0;
    const second = await cachedTeacherLogits(data, train, teacher, "hash-a", { onEvent: () => events++ });
    expect(second.fromCache).toBe(true);
    expect(events).toBe(0);
    expect(Array.from(second.logits)).toEqual(Array.from(first.logits));
    expect(statSync(first.cacheFile).mtimeMs).toBe(written);

    // Other data (hash) or another fold (train indices) is another cache entry.
    const other = await cachedTeacherLogits(data, train, teacher, "hash-b");
    expect(other.fromCache).toBe(false);
    expect(other.cacheFile).not.toBe(first.cacheFile);
    expect(existsSync(`${first.cacheFile}.metrics.json`)).toBe(true);
    expect(tf.memory().numTensors).toBeLessThan(200);
  });
});
