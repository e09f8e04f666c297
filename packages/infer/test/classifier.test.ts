import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CropPolicy, ImageLike, ModelName, Prediction } from "../src/index.js";
import {
  CHUNK_INPUTS, CROP_POLICIES, DEFAULT_CROP_POLICY, DEFAULT_MODEL, decodeWeights, encodeWeights, ExpressionClassifier, MODEL_ZOO,
  paperInferenceCrop, paperPolicyCrops, softmax,
} from "../src/index.js";
import { loadClassifierFromFile, loadModel, modelPath } from "../src/node.js";
import { loadFixturePhoto } from "./image/fixture.js";
import { createJsEngine } from "../src/forward-js.js";
import { analyzeGraph } from "../src/graph/analyze.js";
import { architectureGraph } from "../src/graph/family.js";
import type { GraphNode } from "../src/graph/layer-graph.js";
import { dsnetGraph, randomGraphNetwork } from "./graphs.js";
import { LABELS, randomNetwork } from "./weights-files.js";

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
    expect(inputs[0].logits).toEqual(classifier.classify(photo, box, { crops: "single" }).logits);
    expect(classifier.classifyBatch([photo])[0].logits).toEqual(classifier.classify(photo).logits);
  });

  it("loads every shipped model", async () => {
    for (const name of Object.keys(MODEL_ZOO) as ModelName[]) {
      const classifier = await loadModel(name);
      expect(classifier.labels.length).toBe(analyzeGraph(classifier.weights.network.graph).numClasses);
      expect(classifier.weights.model.name).toBe(name);
    }
    // @ts-expect-error: model names are a union of the shipped names, so a typo fails to compile
    await expect(loadModel("nope")).rejects.toThrow(/Unknown model "nope". Shipped models: dsnet-wide-fer2013, dsnet-fer2013, microexpnet-fer2013/);
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

  it("returns the probabilities by label too", async () => {
    const classifier = await loadModel();
    const prediction = classifier.classify(photo, box);
    expect(Object.keys(prediction.probabilities)).toEqual(classifier.labels);
    for (const { label, probability } of prediction.scores) expect(prediction.probabilities[label]).toBe(probability);
    expect(prediction.probabilities[prediction.label]).toBe(prediction.probability);
  });

  it("classifyBatch takes a box per image, like classify", async () => {
    const classifier = await loadModel();
    const other = { x: 60, y: 50, width: 90, height: 90 };
    const batch = classifier.classifyBatch([photo, photo, photo], [box, undefined, other]);
    expect(batch.map((p) => p.logits)).toEqual([classifier.classify(photo, box), classifier.classify(photo), classifier.classify(photo, other)].map((p) => p.logits));
    expect(() => classifier.classifyBatch([photo], [box, box])).toThrow(/classifyBatch: 1 images but 2 boxes/);
  });

  it("accepts only 8-bit pixels, and says so", async () => {
    const classifier = await loadModel();
    const { width, height } = photo;
    const as = (data: unknown): ImageLike => ({ width, height, channels: 3, data: data as Uint8Array });
    // A 0..1 float image, 16-bit values and a plain array: before, read as bytes without a word.
    const wrong: [unknown, string][] = [
      [Float32Array.from(photo.data, (v) => v / 255), "Float32Array"],
      [Uint16Array.from(photo.data, (v) => v * 257), "Uint16Array"],
      [Array.from(photo.data), "a plain Array"],
      [Int8Array.from(photo.data, (v) => v - 128), "Int8Array"],
    ];
    for (const [data, name] of wrong) {
      const message = new RegExp(`must hold 8-bit pixels \\(a Uint8Array, Uint8ClampedArray or Buffer of 0\\.\\.255 values\\), got ${name}`);
      expect(() => classifier.classify(as(data)), name).toThrow(message);
      expect(() => classifier.classifyFaces(as(data), [box]), name).toThrow(/^classifyFaces: image.data must hold 8-bit pixels/);
      expect(() => classifier.classifyBatch([photo, as(data)]), name).toThrow(/^classifyBatch: image 1: image.data must hold 8-bit pixels/);
    }
    const expected = classifier.classify(photo).logits;
    expect(classifier.classify(as(Buffer.from(photo.data))).logits).toEqual(expected);
    expect(classifier.classify(as(new Uint8ClampedArray(photo.data))).logits).toEqual(expected);
  });

  it("checks weights built in memory as a file's: a NaN weight would vanish in a ReLU", async () => {
    const weights = decodeWeights(readFileSync(modelPath("microexpnet-fer2013")));
    weights.network.tensors.wc1[5] = NaN;
    // Before: "happy", from both engines, without a word.
    for (const engine of ["js", "wasm"] as const) {
      await expect(ExpressionClassifier.create(weights, { engine, source: "mine" })).rejects.toThrow("mine: tensor wc1 holds a non-finite value (NaN) at index 5");
    }
    const sound = decodeWeights(readFileSync(modelPath("microexpnet-fer2013")));
    await expect(ExpressionClassifier.create({ ...sound, labels: [...sound.labels.slice(0, 6), "happy"] })).rejects.toThrow('weights: label "happy" appears twice');
    await expect(ExpressionClassifier.create({ ...sound, labels: sound.labels.slice(1) })).rejects.toThrow(/weights: 6 labels for a network with 7 outputs/);
    expect((await ExpressionClassifier.create(sound)).labels).toEqual(sound.labels);
  });

  it.each(["js", "wasm"] as const)("throws, naming the weights, when a logit is not finite (%s engine)", async (engine) => {
    // Finite weights whose products overflow float32: every logit is infinite or NaN.
    const network = randomNetwork();
    network.tensors.wo = network.tensors.wo.map((v) => v * 3e38);
    network.tensors.bfc.fill(1e30);
    const classifier = await ExpressionClassifier.create(encodeWeights(network, { labels: LABELS }), { engine, source: "huge.mxw" });
    expect(() => classifier.classify(photo)).toThrow(/^huge\.mxw: the network gave a non-finite score \((NaN|-?Infinity)\) for label neutral of face 0/);
    expect(() => classifier.classifyFaces(photo, [box, box])).toThrow(/^huge\.mxw: the network gave a non-finite score/);
    const fine = await loadModel(DEFAULT_MODEL, { engine });
    // A NaN input would be dropped by max-pooling and ReLU without a trace.
    expect(() => fine.classifyInputs(new Float32Array(2 * 84 * 84).fill(100).fill(NaN, 84 * 84 + 5, 84 * 84 + 6), 2)).toThrow(/^classifyInputs: input NaN at index 5 of face 1 is not a finite number/);
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

  it("defaults to each model's own policy: the single crop for dsnet-wide, the paper's 8 for MicroExpNet", async () => {
    const dsnet = await loadModel();
    expect(DEFAULT_MODEL).toBe("dsnet-wide-fer2013");
    expect(dsnet.crops).toBe("single");
    expect(dsnet.classify(photo, box).logits).toEqual(dsnet.classify(photo, box, { crops: "single" }).logits);
    const classifier = await loadModel("microexpnet-fer2013");
    expect(classifier.weights.model.crops).toBe("eight"); // 2.2.0 names its policy; a file naming none gets DEFAULT_CROP_POLICY (below)
    expect(DEFAULT_CROP_POLICY).toBe("eight");
    expect(classifier.crops).toBe("eight");
    const single = classifier.classify(photo, box, { crops: "single" });
    expect(classifier.classify(photo, box).logits).toEqual(classifier.classify(photo, box, { crops: "eight" }).logits);
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
    const whole = classifier.classifyBatch([photo, photo], [undefined, box], { crops: "single-flip" });
    expect(probabilities(whole[0])).toEqual(probabilities(classifier.classify(photo, undefined, { crops: "single-flip" })));
    expect(probabilities(whole[1])).toEqual(probabilities(classifier.classify(photo, box, { crops: "single-flip" })));
  });

  it("takes its default policy from the options, else the file's model.crops, else DEFAULT_CROP_POLICY", async () => {
    const { network, labels, model } = decodeWeights(readFileSync(modelPath("microexpnet-fer2013")));
    const withCrops = (crops: string) => encodeWeights(network, { labels, model: { ...model, crops } });
    const single = (await ExpressionClassifier.create(withCrops("single-flip"))).classify(photo, box, { crops: "single-flip" }).logits;
    const fromFile = await ExpressionClassifier.create(withCrops("single-flip"));
    expect(fromFile.crops).toBe("single-flip");
    expect(fromFile.classify(photo, box).logits).toEqual(single);
    expect(fromFile.classifyFaces(photo, [box])[0].logits).toEqual(single);
    const overridden = await ExpressionClassifier.create(withCrops("single-flip"), { crops: "single" });
    expect(overridden.crops).toBe("single");
    expect((await ExpressionClassifier.create(encodeWeights(network, { labels, model: { name: "plain" } }))).crops).toBe(DEFAULT_CROP_POLICY);
    await expect(ExpressionClassifier.create(withCrops("all"), { source: "odd.mxw" })).rejects.toThrow(
      /odd.mxw: the file's model.crops: unknown crop policy "all"; use one of single/,
    );
    await expect(ExpressionClassifier.create(withCrops("single"), { source: "odd.mxw", crops: "nine" as CropPolicy })).rejects.toThrow(
      /odd.mxw: options.crops: unknown crop policy "nine"/,
    );
  });

  it("names an unknown policy", async () => {
    const classifier = await loadModel();
    expect(() => classifier.classify(photo, box, { crops: "all" as CropPolicy })).toThrow(/classify: unknown crop policy "all"; use one of single, single-flip, eight, four-flip, eight-flip/);
  });
});

describe("a network that is not a family member (dsnet)", () => {
  const bytes = encodeWeights(randomGraphNetwork(dsnetGraph(7), 8), { labels: LABELS.slice(1) });

  it('"auto" runs it in WebAssembly (the graph plan), as "wasm" does', async () => {
    const auto = await ExpressionClassifier.create(bytes);
    expect(auto.engineKind).toBe("wasm");
    expect(auto.engineFallbackReason).toBeUndefined();
    expect((await ExpressionClassifier.create(bytes, { engine: "wasm" })).engineKind).toBe("wasm");
    const family = await loadModel();
    expect(family.engineKind).toBe("wasm");
    expect(family.engineFallbackReason).toBeUndefined();
  });

  it('"auto" runs MicroExpNet with a 24-filter conv1 in WebAssembly too (it used to throw "conv filters must be multiples of 16", then fell back)', async () => {
    const graph = architectureGraph("microexpnet", 7);
    graph.name = "microexpnet-wide";
    (graph.nodes[0] as Extract<GraphNode, { op: "conv2d" }>).filters = 24;
    const wide = encodeWeights(randomGraphNetwork(graph, 2), { labels: LABELS.slice(1) });
    const classifier = await ExpressionClassifier.create(wide);
    expect(classifier.engineKind).toBe("wasm");
    expect(classifier.engineFallbackReason).toBeUndefined();
    const js = await ExpressionClassifier.create(wide, { engine: "js" });
    const [a, b] = [classifier.classify(photo).logits, js.classify(photo).logits];
    expect(a).toHaveLength(7);
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(b[i]))));
  });

  it("classifies faces, crops and all, as its engine computes them", async () => {
    const network = decodeWeights(bytes).network;
    const js = await ExpressionClassifier.create(bytes, { engine: "js" });
    const prediction = js.classify(photo, box, { crops: "single" });
    expect(prediction.scores.map((s) => s.label)).toEqual(LABELS.slice(1));
    expect(prediction.logits).toEqual(createJsEngine(network).forward(paperInferenceCrop(photo, box), 1));
    // The WebAssembly plan's crops and network: the same answer to float rounding.
    const wasm = (await ExpressionClassifier.create(bytes)).classify(photo, box, { crops: "single" });
    wasm.logits.forEach((v, i) => expect(Math.abs(v - prediction.logits[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(prediction.logits[i]))));
  });

  it("refuses to crop faces for a network whose input is not 84x84", async () => {
    const graph = { ...dsnetGraph(7), inputSize: 64 };
    const small = await ExpressionClassifier.create(encodeWeights(randomGraphNetwork(graph), { labels: LABELS.slice(1) }), { source: "small.mxw" });
    expect(() => small.classify(photo)).toThrow("small.mxw: classify crops faces to 84x84 inputs, but this network takes 64x64; use classifyInputs");
    expect(small.classifyInputs(new Float32Array(64 * 64).fill(9), 1)).toHaveLength(1);
  });
});
