// Evaluation on hand-made logits: the paper's crop-averaged accuracy, logit-averaged voting,
// the inference crop alone, confusion and recall; and the mean +- std of the folds.
import { describe, expect, it } from "vitest";
import { INFERENCE_CROP_INDEX, metricsFromLogits } from "../src/evaluate.js";
import { summarise, summary } from "../src/cross-validate.js";
import type { FoldResult } from "../src/fold.js";
import type { BackendInfo } from "../src/backend/index.js";
import { TRAINING_CROP_OFFSETS } from "@microexp/infer";

/** Logits for one crop: `winner` gets `high`, the others 0. */
function crop(classes: number, winner: number, high = 1): number[] {
  return Array.from({ length: classes }, (_, k) => (k === winner ? high : 0));
}

describe("metricsFromLogits", () => {
  it("the inference crop is the (32, 32) training crop", () => {
    expect(TRAINING_CROP_OFFSETS[INFERENCE_CROP_INDEX]).toEqual([32, 32]);
  });

  it("counts crops, votes and the inference crop as the paper and the runtime do", () => {
    const classes = 3;
    // Image 0, label 0: crops 0-4 say 0, crops 5-7 say 1 (crop 6 is the inference crop).
    const image0 = [0, 1, 2, 3, 4].map(() => crop(classes, 0)).concat([5, 6, 7].map(() => crop(classes, 1)));
    // Image 1, label 2: every crop says 2 except the inference crop, which says 0.
    const image1 = Array.from({ length: 8 }, (_, c) => crop(classes, c === 6 ? 0 : 2));
    const logits = new Float32Array([...image0, ...image1].flat());
    const m = metricsFromLogits(logits, new Int32Array([0, 2]), classes);
    expect(m.images).toBe(2);
    expect(m.cropAccuracy).toBeCloseTo(12 / 16, 12);
    expect(m.voteAccuracy).toBe(1);
    expect(m.inferenceCropAccuracy).toBe(0);
    expect(m.confusion).toEqual([[5, 3, 0], [0, 0, 0], [1, 0, 7]]);
    expect(m.recall[0]).toBeCloseTo(5 / 8, 12);
    expect(Number.isNaN(m.recall[1])).toBe(true); // no test face of class 1
    expect(m.recall[2]).toBeCloseTo(7 / 8, 12);
  });

  it("votes with the mean of the logits, not the majority of the crops", () => {
    const classes = 2;
    // 5 crops lean weakly to class 1, 3 crops are sure of class 0: the majority says 1, the mean says 0.
    const weak = [1.0, 1.1];
    const sure = [10, 0];
    const logits = new Float32Array([weak, weak, weak, weak, weak, sure, sure, sure].flat());
    const m = metricsFromLogits(logits, new Int32Array([0]), classes);
    expect(m.cropAccuracy).toBeCloseTo(3 / 8, 12);
    expect(m.voteAccuracy).toBe(1);
    expect(m.inferenceCropAccuracy).toBe(1); // crop 6 is one of the sure ones
  });
});

describe("summary", () => {
  it("gives the mean and the sample standard deviation", () => {
    const s = summary([0.5, 0.7, 0.9]);
    expect(s.mean).toBeCloseTo(0.7, 12);
    expect(s.std).toBeCloseTo(0.2, 12);
    expect(summary([0.8]).std).toBe(0);
  });
});

describe("summarise", () => {
  it("gives the same numbers, to the last bit, whatever order the folds finished in", () => {
    // (0.1 + 0.2) + 0.3 and (0.3 + 0.2) + 0.1 differ in the last bit.
    const fold = (n: number, accuracy: number): FoldResult => ({
      fold: n, metrics: { ...metricsFromLogits(new Float32Array(16), new Int32Array([0]), 2), cropAccuracy: accuracy, voteAccuracy: accuracy, inferenceCropAccuracy: accuracy },
      history: [], trainSeconds: 1, samplesPerSecond: 1, backend: "cpu",
    });
    const folds = [fold(0, 0.1), fold(1, 0.2), fold(2, 0.3)];
    const backend = { name: "cpu" } as BackendInfo;
    const inOrder = summarise(folds, backend);
    const reversed = summarise([...folds].reverse(), backend);
    expect(reversed.cropAccuracy).toStrictEqual(inOrder.cropAccuracy);
    expect(reversed.voteAccuracy).toStrictEqual(inOrder.voteAccuracy);
    expect(reversed.folds.map((f) => f.fold)).toEqual([0, 1, 2]);
  });
});

describe("policyAccuracy", () => {
  it("averages softmax probabilities over the policy's crops, as the runtime's classify() does", () => {
    const classes = 2;
    // One image, label 0. Inference crop (6) says 1 weakly; the other 7 crops say 0 weakly;
    // the mirrored inference crop says 0 strongly; every other mirrored crop says 1 strongly.
    const logits = new Float32Array(8 * classes);
    const mirrored = new Float32Array(8 * classes);
    for (let c = 0; c < 8; c++) {
      logits.set(c === INFERENCE_CROP_INDEX ? [0, 0.5] : [0.5, 0], c * classes);
      mirrored.set(c === INFERENCE_CROP_INDEX ? [3, 0] : [0, 3], c * classes);
    }
    const m = metricsFromLogits(logits, new Int32Array([0]), classes, mirrored);
    // four-flip: crops 0, 2, 4 (weakly 0, mirrored strongly 1) and 6 (weakly 1, mirrored strongly 0) lean to 1.
    expect(m.policies).toEqual({ single: 0, "single-flip": 1, eight: 1, "four-flip": 0, "eight-flip": 0 });
    expect(metricsFromLogits(logits, new Int32Array([0]), classes).policies).toBeUndefined();
  });
});
