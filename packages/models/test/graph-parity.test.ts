// The runtime's TypeScript engine (@microexp/infer, the reference) runs any layer graph as
// TensorFlow.js does: random small graphs that use every op, and the lead's dsnet (depthwise-
// separable blocks, residual adds, global average pooling), on tfjs-backend-cpu, to 1e-4.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import type { GraphOp, LayerGraph } from "@microexp/infer";
import { analyzeGraph, createJsEngine } from "@microexp/infer";
import { createTfForward } from "../src/index.js";
import { dsnetGraph, randomGraph, randomGraphNetwork, randomImages, worstDifference } from "../../infer/test/graphs.js";



function tfLogits(graph: LayerGraph, network: Parameters<typeof createTfForward>[0], images: Float32Array, batch: number): Float32Array {
  const forward = createTfForward(network);
  const x = tf.tensor4d(images, [batch, graph.inputSize, graph.inputSize, 1]);
  const logits = forward(x);
  const out = logits.dataSync() as Float32Array;
  tf.dispose([x, logits]);
  forward.dispose();
  return out;
}

describe("the TypeScript engine matches tfjs-backend-cpu on any graph", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
    await tf.ready();
  });

  it("random small graphs, every op among them", () => {
    const seen = new Set<GraphOp>();
    for (let seed = 1; seed <= 60; seed++) {
      const graph = randomGraph(seed);
      analyzeGraph(graph).graph.nodes.forEach((node) => seen.add(node.op));
      const network = randomGraphNetwork(graph, seed);
      const batch = 3;
      const images = randomImages(batch, graph.inputSize ** 2, seed);
      const expected = tfLogits(graph, network, images, batch);
      const actual = createJsEngine(network).forward(images, batch);
      expect(worstDifference(actual, expected), `${JSON.stringify(graph)}`).toBeLessThanOrEqual(1e-4);
    }
    expect([...seen].sort()).toEqual(["add", "conv2d", "dense", "depthwiseConv2d", "flatten", "globalAvgPool", "maxPool", "relu", "rescale"]);
  });

  it("dsnet (random weights, batch norm folded into the biases)", () => {
    const graph = dsnetGraph(7);
    const network = randomGraphNetwork(graph, 5);
    // Noise, a gradient, a flat dark image and a checkerboard: inputs that global pooling cannot average alike.
    const images = new Float32Array(4 * 84 * 84);
    images.set(randomImages(1, 84 * 84, 9));
    for (let p = 0; p < 84 * 84; p++) {
      const [y, x] = [Math.floor(p / 84), p % 84];
      images[84 * 84 + p] = x * 3;
      images[2 * 84 * 84 + p] = 30;
      images[3 * 84 * 84 + p] = (Math.floor(x / 4) + Math.floor(y / 4)) % 2 ? 255 : 0;
    }
    const expected = tfLogits(graph, network, images, 4);
    const actual = createJsEngine(network).forward(images, 4);
    expect(worstDifference(actual, expected)).toBeLessThanOrEqual(1e-4);
    // Not a vacuous match: the images get different logits.
    for (let i = 1; i < 4; i++) expect(worstDifference(expected.subarray(0, 7), expected.subarray(7 * i, 7 * i + 7))).toBeGreaterThan(1e-3);
  });
});
