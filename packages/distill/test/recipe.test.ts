// The in-the-wild recipe's parts: augmentation, targets, schedules, seeded dropout, exact
// resume (with Adam's step count where float32 running products and pow disagree), and
// selection / early stopping on a validation set.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../src/backend/index.js";
import { predictCrops } from "../src/evaluate.js";
import { augmentCrop, sampleSeed } from "../src/augment.js";
import { CROP_PIXELS } from "../src/crop-set.js";
import { SeededRandom } from "../src/random.js";
import { allocateBatch, fillBatch } from "../src/samples.js";
import { plateauStep, scheduledRate } from "../src/schedule.js";
import type { TrainConfig } from "../src/train.js";
import { trainStudent } from "../src/train.js";
import { tempDir, tinyCropSet } from "./helpers.js";

const temp = tempDir("recipe");
afterAll(() => temp.remove());
beforeAll(async () => {
  await selectBackend("wasm");
});

const data = tinyCropSet(16, 2);

async function weightsOf(result: Awaited<ReturnType<typeof trainStudent>>): Promise<number[][]> {
  const values = await Promise.all(result.model.trainableWeights.map((w) => w.read().data() as Promise<Float32Array>));
  result.model.dispose();
  return values.map((v) => Array.from(v));
}

function gradient(): Uint8Array {
  const crop = new Uint8Array(CROP_PIXELS);
  for (let y = 0; y < 84; y++) for (let x = 0; x < 84; x++) crop[y * 84 + x] = (x * 3 + y) % 256;
  return crop;
}

describe("augmentCrop", () => {
  it("is the identity with every draw switched off, and a mirror or the identity with flips only", () => {
    const crop = gradient();
    const out = new Float32Array(CROP_PIXELS);
    augmentCrop(crop, out, 0, new SeededRandom(1), { flip: false, maxShift: 0, maxRotation: 0, maxScale: 0, erase: 0 });
    expect(Array.from(out)).toEqual(Array.from(crop));
    let mirrored = 0;
    for (let seed = 0; seed < 20; seed++) {
      augmentCrop(crop, out, 0, new SeededRandom(seed), { flip: true, maxShift: 0, maxRotation: 0, maxScale: 0, erase: 0 });
      const isMirror = out[0] === crop[83] && out[84 * 5 + 10] === crop[84 * 5 + 73];
      if (isMirror) mirrored++;
      else expect(Array.from(out)).toEqual(Array.from(crop));
    }
    expect(mirrored).toBeGreaterThan(3);
    expect(mirrored).toBeLessThan(17);
  });

  it("depends only on the sample's seed, stays in 0..255 and erases a rectangle with noise", () => {
    const crop = gradient();
    const a = new Float32Array(CROP_PIXELS);
    const b = new Float32Array(CROP_PIXELS);
    augmentCrop(crop, a, 0, new SeededRandom(sampleSeed(3, 2, 17)), { erase: 1 });
    augmentCrop(crop, b, 0, new SeededRandom(sampleSeed(3, 2, 17)), { erase: 1 });
    expect(Array.from(a)).toEqual(Array.from(b));
    augmentCrop(crop, b, 0, new SeededRandom(sampleSeed(3, 2, 18)), { erase: 1 });
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(a.every((v) => v >= 0 && v <= 255)).toBe(true);
    const plain = new Float32Array(CROP_PIXELS);
    augmentCrop(crop, plain, 0, new SeededRandom(9), { flip: false, maxShift: 0, maxRotation: 0, maxScale: 0, erase: 1 });
    const changed = plain.reduce((n, v, i) => n + (v !== crop[i] ? 1 : 0), 0);
    expect(changed).toBeGreaterThan(0.01 * CROP_PIXELS);
    expect(changed).toBeLessThanOrEqual(0.26 * CROP_PIXELS);
  });
});

describe("predictCrops with mirrored crops", () => {
  it("runs each crop mirrored left to right", () => {
    // A runner whose two logits are the sums of the left and the right half of each crop.
    const runner = {
      via: "tfjs predict" as const,
      logits: (input: Float32Array, n: number) => {
        const out = new Float32Array(n * 2);
        for (let k = 0; k < n; k++) {
          for (let p = 0; p < 84 * 84; p++) out[k * 2 + ((p % 84) < 42 ? 0 : 1)] += input[k * 84 * 84 + p];
        }
        return out;
      },
      dispose: () => {},
    };
    const set = tinyCropSet(2, 2);
    const plain = predictCrops(runner, set);
    const mirrored = predictCrops(runner, set, 256, true);
    for (let s = 0; s < 16; s++) {
      expect(mirrored[2 * s]).toBeCloseTo(plain[2 * s + 1], 0);
      expect(mirrored[2 * s + 1]).toBeCloseTo(plain[2 * s], 0);
    }
    expect(plain[0]).not.toBeCloseTo(plain[1], 0);
  });
});

describe("fillBatch targets", () => {
  it("mixes hard labels, soft targets and smoothing into distributions that sum to 1", () => {
    const set = tinyCropSet(4, 2);
    set.softTargets = new Float32Array([0.5, 0.5, 0.2, 0.8, 1, 0, 0, 1]);
    const batch = allocateBatch(4, 2);
    fillBatch({ data: set, softTargets: set.softTargets }, { sampling: "one-per-face", labelSmoothing: 0.1, softTargetWeight: 0.5 }, 1, 0, 0, [0, 1, 2, 3], batch);
    // face 0, label 0: 0.9 * (0.5 * 1 + 0.5 * 0.5) + 0.05 = 0.725
    expect(batch.targets[0]).toBeCloseTo(0.725, 6);
    expect(batch.targets[1]).toBeCloseTo(0.275, 6);
    // face 1, label 1: 0.9 * (0.5 * 1 + 0.5 * 0.8) + 0.05 = 0.86
    expect(batch.targets[3]).toBeCloseTo(0.86, 6);
    for (let k = 0; k < 4; k++) expect(batch.targets[2 * k] + batch.targets[2 * k + 1]).toBeCloseTo(1, 6);
  });
});

describe("learning-rate schedules", () => {
  it("warm up linearly, then follow a cosine to the floor; plateau halves after its patience", () => {
    const cosine = { kind: "cosine", warmupEpochs: 2, minLearningRate: 1e-5 } as const;
    expect(scheduledRate(cosine, 1e-3, 0, 0, 10)).toBe(0);
    expect(scheduledRate(cosine, 1e-3, 1, 0, 10)).toBeCloseTo(5e-4, 12);
    expect(scheduledRate(cosine, 1e-3, 2, 0, 10)).toBeCloseTo(1e-3, 12);
    expect(scheduledRate(cosine, 1e-3, 6, 0, 10)).toBeCloseTo(1e-5 + 0.5 * (1e-3 - 1e-5), 12);
    expect(scheduledRate(cosine, 1e-3, 10, 0, 10)).toBeCloseTo(1e-5, 12);
    const plateau = { kind: "plateau", factor: 0.5, patience: 2 } as const;
    let state = { rate: 1e-3, best: Infinity, badEpochs: 0 };
    state = plateauStep(plateau, state, 1.0);
    state = plateauStep(plateau, state, 1.1);
    expect(state.rate).toBe(1e-3);
    state = plateauStep(plateau, state, 1.2);
    expect(state.rate).toBe(5e-4);
  });
});

const recipe: TrainConfig = {
  architecture: "microexpnet", epochs: 3, seed: 5, batchSize: 16, learningRate: 1e-3, dropout: 0.5,
  augment: { erase: 0.5 }, labelSmoothing: 0.1, weightDecay: 1e-4, schedule: { kind: "cosine", warmupEpochs: 1 },
};

describe("trainStudent with the in-the-wild recipe", () => {
  it("gives the same weights for the same seed, with dropout on, and other weights for another seed", async () => {
    const a = await weightsOf(await trainStudent(data, { ...recipe, epochs: 1 }));
    const b = await weightsOf(await trainStudent(data, { ...recipe, epochs: 1 }));
    const c = await weightsOf(await trainStudent(data, { ...recipe, epochs: 1, seed: 6 }));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("resumes exactly after 16 Adam steps, where float32 running products of beta^t and pow disagree", async () => {
    // The premise: tfjs's Adam would rebuild beta1^16 (or beta2^16) differently on resume.
    let p1 = 1;
    let p2 = 1;
    for (let t = 0; t < 16; t++) {
      p1 = Math.fround(p1 * Math.fround(0.9));
      p2 = Math.fround(p2 * Math.fround(0.999));
    }
    expect(p1 !== Math.fround(Math.pow(Math.fround(0.9), 16)) || p2 !== Math.fround(Math.pow(Math.fround(0.999), 16))).toBe(true);

    const straight = await trainStudent(data, recipe, { checkpointPath: join(temp.dir, "straight.ckpt") });
    const history = straight.history;
    const expected = await weightsOf(straight);
    const checkpointPath = join(temp.dir, "interrupted.ckpt");
    const controller = new AbortController();
    // 16 faces x 8 crops in batches of 16: 8 steps an epoch, so the epoch-2 checkpoint is step 16.
    const first = await trainStudent(data, recipe, {
      checkpointPath, signal: controller.signal,
      onProgress: (p) => { if (p.epoch === 3 && p.step === 2) controller.abort(); },
    });
    expect(first.epochsRun).toBe(2);
    first.model.dispose();
    const resumed = await trainStudent(data, recipe, { checkpointPath });
    expect(resumed.epochsRun).toBe(1);
    expect(resumed.history).toEqual(history);
    expect(await weightsOf(resumed)).toEqual(expected);
  });

  it("returns the epoch with the lowest validation loss, and stops early after its patience", async () => {
    const validation = tinyCropSet(6, 2, 99);
    const result = await trainStudent(data, { ...recipe, epochs: 4, sampling: "one-per-face", learningRate: 3e-2, earlyStoppingPatience: 1 }, { validation });
    const losses = result.history.map((h) => h.validationLoss!);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(result.selectedEpoch).toBe(result.history[losses.indexOf(Math.min(...losses))].epoch);
    const stoppedEarly = result.history.length < 4;
    if (stoppedEarly) expect(losses[losses.length - 1]).toBeGreaterThanOrEqual(Math.min(...losses.slice(0, -1)));
    result.model.dispose();
    await expect(trainStudent(data, { ...recipe, earlyStoppingPatience: 2 })).rejects.toThrow(/early stopping needs a validation set/);
  });
});
