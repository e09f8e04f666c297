// graphFromModel: a trained tfjs-layers network becomes a runtime layer graph with every batch
// norm folded into the layer before it; the runtime's TypeScript engine then gives what
// model.predict gives, and a weights file carries it unchanged. Layers it cannot express are
// refused by name.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import type { NetworkWeights } from "@microexp/infer";
import { analyzeGraph, createJsEngine, createWasmEngine, decodeWeights, encodeWeights } from "@microexp/infer";
import { BatchNorm, buildDsnet, buildFamilyModel, exportWeightsFile, graphFromModel, GraphExportError, modelNetwork } from "../src/index.js";
import { describeArchitecture } from "@microexp/infer";
import { dsnetGraph, randomImages } from "../../infer/test/graphs.js";
import { seededRandom } from "../../../test-support/random.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Every batch norm of the model gets random gamma, beta and moving statistics far from 1 and 0. */
function randomiseBatchNorms(model: tfl.LayersModel, seed: number): void {
  const random = seededRandom(seed);
  const uniform = (n: number, lo: number, hi: number) => tf.tensor1d(Array.from({ length: n }, () => lo + (hi - lo) * random()));
  for (const layer of model.layers) {
    if (layer.getClassName() !== "BatchNorm" && layer.getClassName() !== "BatchNormalization") continue;
    const channels = layer.getWeights()[0].shape[0];
    const values = [uniform(channels, 0.5, 2), uniform(channels, -1, 1), uniform(channels, -0.5, 0.5), uniform(channels, 0.05, 3)];
    layer.setWeights(values);
    tf.dispose(values);
  }
}


function maxDifference(network: NetworkWeights, model: tfl.LayersModel, count: number, seed: number): number {
  const side = network.graph.inputSize;
  const pixels = randomImages(count, side * side, seed);
  const ours = createJsEngine(network).forward(pixels, count);
  const theirs = tf.tidy(() => (model.predict(tf.tensor4d(pixels, [count, side, side, 1])) as tf.Tensor).dataSync());
  expect(ours.length).toBe(theirs.length);
  return Math.max(...ours.map((v, i) => Math.abs(v - theirs[i])));
}

describe("graphFromModel", () => {
  it("exports dsnet with non-trivial batch norms: dsnet's graph, run by the TypeScript and WebAssembly engines as model.predict to 1e-4", async () => {
    const model = buildDsnet({ numClasses: 7, seed: 3 });
    randomiseBatchNorms(model, 11);
    const network = graphFromModel(model);
    // Every batch norm folded (each pointwise/skip/stem conv gains a bias), ReLUs fused.
    const withoutFalseRelu = (graph: object) => JSON.parse(JSON.stringify(graph, (key, value: unknown) => (key === "relu" && value === false ? undefined : value))) as object;
    expect(network.graph).toEqual(withoutFalseRelu(dsnetGraph(7)));
    expect(Object.keys(network.tensors).sort()).toEqual(analyzeGraph(network.graph).parameters.map((p) => p.name).sort());
    const difference = maxDifference(network, model, 3, 5);
    expect(difference).toBeLessThan(1e-4);
    // The WebAssembly engine (infer's graph plan) runs the exported network as predict does too.
    const pixels = randomImages(2, 84 * 84, 6);
    const wasm = (await createWasmEngine(network))!.forward(pixels, 2);
    const predicted = tf.tidy(() => (model.predict(tf.tensor4d(pixels, [2, 84, 84, 1])) as tf.Tensor).dataSync());
    expect(Math.max(...wasm.map((v, i) => Math.abs(v - predicted[i])))).toBeLessThan(1e-4);
    // The folding is what makes it right: with the statistics left out the answers differ.
    randomiseBatchNorms(model, 12);
    expect(maxDifference(network, model, 3, 5)).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it("round-trips dsnet through a weights file", () => {
    const model = buildDsnet({ numClasses: 7, seed: 4 });
    randomiseBatchNorms(model, 13);
    const network = graphFromModel(model);
    const labels = ["a", "b", "c", "d", "e", "f", "g"];
    const read = decodeWeights(encodeWeights(network, { labels }), "dsnet.mxw");
    expect(read.network.graph).toEqual(network.graph);
    for (const [name, values] of Object.entries(network.tensors)) expect(read.network.tensors[name]).toEqual(values);
    expect(maxDifference(read.network, model, 2, 6)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("exports a Sequential model with tfjs' own BatchNormalization, a conv with its own bias, Activation and Flatten", () => {
    const model = tfl.sequential({ name: "seq" });
    model.add(tfl.layers.conv2d({ inputShape: [9, 9, 1], filters: 4, kernelSize: 3, strides: 2, padding: "same", biasInitializer: "randomNormal" }));
    model.add(tfl.layers.batchNormalization({}));
    model.add(tfl.layers.activation({ activation: "relu" }));
    model.add(tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: "same", activation: "relu" }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
    model.add(tfl.layers.flatten());
    model.add(tfl.layers.dense({ units: 6 }));
    model.add(tfl.layers.batchNormalization({ epsilon: 0.01 }));
    model.add(tfl.layers.reLU());
    model.add(tfl.layers.dropout({ rate: 0.5 }));
    model.add(tfl.layers.dense({ units: 3 }));
    randomiseBatchNorms(model, 14);
    const network = graphFromModel(model);
    expect(network.graph.nodes.map((n) => `${n.op}${"relu" in n && n.relu ? "+relu" : ""}`)).toEqual(["conv2d+relu", "depthwiseConv2d+relu", "maxPool", "flatten", "dense+relu", "dense"]);
    expect(maxDifference(network, model, 3, 7)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("keeps a ReLU node where it cannot fuse (the value is read twice), and exports a residual add", () => {
    const input = tfl.input({ shape: [6, 6, 1] });
    const conv = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: "same" }).apply(input) as tfl.SymbolicTensor;
    const relu = tfl.layers.reLU({ name: "shared_relu" }).apply(conv) as tfl.SymbolicTensor;
    const branch = tfl.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false }).apply(relu) as tfl.SymbolicTensor;
    const normed = new BatchNorm({ name: "bn" }).apply(branch) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({}).apply([relu, normed]) as tfl.SymbolicTensor;
    const gap = tfl.layers.globalAveragePooling2d({}).apply(tfl.layers.reLU({}).apply(sum)) as tfl.SymbolicTensor;
    const model = tfl.model({ name: "residual", inputs: input, outputs: tfl.layers.dense({ units: 2 }).apply(gap) as tfl.SymbolicTensor });
    randomiseBatchNorms(model, 15);
    const network = graphFromModel(model);
    expect(network.graph.nodes.map((n) => `${n.op}${"relu" in n && n.relu ? "+relu" : ""}`)).toEqual(["conv2d+relu", "conv2d", "add+relu", "globalAvgPool", "dense"]);
    expect(maxDifference(network, model, 2, 8)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("refuses what the graph cannot express, naming the layer", () => {
    const build = (...layers: tfl.layers.Layer[]) => {
      const model = tfl.sequential({ name: "bad" });
      model.add(tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, padding: "same", name: "c" }));
      for (const layer of layers) model.add(layer);
      model.add(tfl.layers.flatten({}));
      model.add(tfl.layers.dense({ units: 2 }));
      return model;
    };
    const refuse = (model: tfl.LayersModel, message: RegExp) => {
      expect(() => graphFromModel(model)).toThrow(GraphExportError);
      expect(() => graphFromModel(model)).toThrow(message);
      model.dispose();
    };
    refuse(build(tfl.layers.averagePooling2d({ poolSize: 2, name: "avg" })), /layer avg \(AveragePooling2D\): the layer graph has no AveragePooling2D/);
    refuse(build(tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: "valid", name: "v" })), /layer v \(Conv2D\) has padding "valid"/);
    refuse(build(tfl.layers.activation({ activation: "tanh", name: "t" })), /layer t \(Activation\) has activation "tanh"/);
    refuse(build(tfl.layers.reLU({ name: "r" }), tfl.layers.batchNormalization({ name: "bn" })), /layer bn \(BatchNormalization\) follows conv2d c with a ReLU/);
    const softmax = tfl.sequential({ name: "soft", layers: [tfl.layers.flatten({ inputShape: [4, 4, 1] }), tfl.layers.dense({ units: 2, activation: "softmax", name: "probs" })] });
    refuse(softmax, /layer probs \(Dense\) has activation "softmax"/);
    const color = tfl.sequential({ name: "rgb", layers: [tfl.layers.flatten({ inputShape: [4, 4, 3] }), tfl.layers.dense({ units: 2 })] });
    refuse(color, /takes input \[4, 4, 3\]/);
  });

  it("modelNetwork keeps the family's own export (same bytes as exportWeightsFile)", () => {
    const model = buildFamilyModel("p12-XXS", { numClasses: 8, seed: 2 });
    const spec = describeArchitecture("p12-XXS", 8);
    const labels = ["0", "1", "2", "3", "4", "5", "6", "7"];
    expect(encodeWeights(modelNetwork(model, "p12-XXS", 8), { labels })).toEqual(exportWeightsFile(model, spec, { labels }));
    model.dispose();
  });
});
