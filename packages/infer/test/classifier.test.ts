import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CHUNK_INPUTS, CROP_POLICIES, DEFAULT_CROP_POLICY, DEFAULT_MODEL, ExpressionClassifier, MODEL_ZOO, paperInferenceCrop,
  paperPolicyCrops, softmax, type CropPolicy, type Prediction,
} from "../src/index.js";
import { loadClassifierFromFile, loadModel, modelPath } from "../src/node.js";
import { loadFixturePhoto } from "./image/fixture.js";

const photo = loadFixturePhoto();
const box = { x: 40, y: 30, width: 120, height: 130 };

describe("ExpressionClassifier", () => {
  it("gives the same scores on the wasm and the TypeScript engines", async () => {
    const wasm = await loadModel(DEFAULT_MODEL, { engine: "wasm" });
    const js = await loadModel(DEFAULT_MODEL, { engine: "js" });
    expect(wasm.engineKind).toBe("wasm");
    expect(js.engineKind).toBe("js");
    const a = wasm.classify(photo, box);
    const b = js.classify(photo, box);
    expect(a.label).toBe(b.label);
    a.scores.forEach((s, i) => expect(s.probability).toBeCloseTo(b.scores[i].probability, 5));
  });

  it("returns every label with probabilities that sum to 1, best first in label and probability", async () => {
    const classifier = await loadModel();
    const prediction = classifier.classify(photo);
    expect(prediction.scores.map((s) => s.label)).toEqual(classifier.labels);
    expect(prediction.scores.reduce((sum, s) => sum + s.probability, 0)).toBeCloseTo(1, 6);
    expect(prediction.probability).toBe(Math.max(...prediction.scores.map((s) => s.probability)));
    expect(prediction.scores.find((s) => s.label === prediction.label)?.probability).toBe(prediction.probability);
  });

  it("batches give the same answers as one face at a time", async () => {
    const classifier = await loadModel();
    const boxes = [box, { x: 0, y: 0, width: 200, height: 200 }, { x: 60, y: 50, width: 90, height: 90 }];
    const batch = classifier.classifyFaces(photo, boxes);
    boxes.forEach((b, i) => expect(batch[i].logits).toEqual(classifier.classify(photo, b).logits));
    const inputs = classifier.classifyInputs(paperInferenceCrop(photo, box), 1);
    expect(inputs[0].logits).toEqual(batch[0].logits);
    expect(classifier.classifyBatch([photo])[0].logits).toEqual(classifier.classify(photo).logits);
  });

  it("loads every shipped model", async () => {
    for (const name of Object.keys(MODEL_ZOO)) {
      const classifier = await loadModel(name);
      expect(classifier.labels.length).toBe(classifier.weights.network.spec.numClasses);
      expect(classifier.weights.model.name).toBe(name);
    }
    await expect(loadModel("nope")).rejects.toThrow(/Unknown model "nope". Shipped models: microexpnet-ckplus-upstream/);
  });

  it("names the file when weights are missing or damaged", async () => {
    await expect(loadClassifierFromFile("/no/such/weights.mxw")).rejects.toThrow(/\/no\/such\/weights\.mxw: cannot read the weights file \(ENOENT\)/);
    const bytes = new Uint8Array(readFileSync(modelPath()));
    await expect(ExpressionClassifier.create(bytes.subarray(0, 5000), { source: "cut.mxw" })).rejects.toThrow(/cut\.mxw: truncated/);
  });

  it("computes a stable softmax", () => {
    const p = softmax([1000, 1000, -1000]);
    expect(Array.from(p)).toEqual([0.5, 0.5, 0]);
  });
});

describe("crop policies", () => {
  /** The mean of the softmaxes of the policy's crops, run one by one through classifyInputs. */
  function expected(classifier: ExpressionClassifier, policy: CropPolicy, face = box): number[] {
    const crops = paperPolicyCrops(photo, face, policy);
    const mean = new Array<number>(classifier.labels.length).fill(0);
    for (const crop of crops) {
      const p = softmax(classifier.classifyInputs(crop, 1)[0].logits);
      p.forEach((v, i) => (mean[i] += v / crops.length));
    }
    return mean;
  }
  const probabilities = (p: Prediction) => p.scores.map((s) => s.probability);

  it("averages the probabilities of each policy's crops, on both engines", async () => {
    for (const engine of ["wasm", "js"] as const) {
      const classifier = await loadModel(DEFAULT_MODEL, { engine });
      for (const policy of CROP_POLICIES) {
        const got = probabilities(classifier.classify(photo, box, { crops: policy }));
        expected(classifier, policy).forEach((p, i) => expect(got[i], `${engine} ${policy} ${i}`).toBeCloseTo(p, 6));
      }
    }
  });

  it("defaults to the paper's single crop; the policies really differ", async () => {
    const classifier = await loadModel();
    expect(DEFAULT_CROP_POLICY).toBe("single");
    const single = classifier.classify(photo, box, { crops: "single" });
    expect(classifier.classify(photo, box).logits).toEqual(single.logits);
    const eight = probabilities(classifier.classify(photo, box, { crops: "eight" }));
    expect(eight).not.toEqual(probabilities(single));
    expect(eight.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it("classifyFaces and classifyBatch follow the option, across chunk boundaries", async () => {
    const classifier = await loadModel();
    const boxes = Array.from({ length: 2 * CHUNK_INPUTS + 3 }, (_, i) => ({ x: 10 + i, y: 20 + (i % 5), width: 100 + 3 * i, height: 110 + i }));
    for (const policy of ["single", "eight-flip"] as const) {
      const batch = classifier.classifyFaces(photo, boxes, { crops: policy });
      expect(batch).toHaveLength(boxes.length);
      boxes.forEach((face, i) => {
        const one = probabilities(classifier.classify(photo, face, { crops: policy }));
        probabilities(batch[i]).forEach((p, k) => expect(p, `${policy} face ${i}`).toBeCloseTo(one[k], 6));
      });
    }
    const whole = classifier.classifyBatch([photo, photo], { crops: "single-flip" });
    expect(probabilities(whole[1])).toEqual(probabilities(classifier.classify(photo, undefined, { crops: "single-flip" })));
  });

  it("names an unknown policy", async () => {
    const classifier = await loadModel();
    expect(() => classifier.classify(photo, box, { crops: "all" as CropPolicy })).toThrow(/classify: unknown crop policy "all"; use one of single, single-flip, eight, eight-flip/);
  });
});
