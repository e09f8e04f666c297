// The graph plan (src/wasm/graph-plan.ts, assembly/graph-ops.ts): any layer graph in
// WebAssembly SIMD, equal to the TypeScript engine (the reference) to 1e-4, on random graphs
// that use every op (narrow ones for the scalar tails, wider ones for the SIMD blocks) and on
// dsnet; a family member outside the Winograd kernels' shapes runs on it too.
import { describe, expect, it } from "vitest";
import type { GraphOp, LayerGraph } from "../src/graph/layer-graph.js";
import { analyzeGraph } from "../src/graph/analyze.js";
import { architectureGraph } from "../src/graph/family.js";
import { createJsEngine } from "../src/forward-js.js";
import { createWasmEngine, wasmGraphProblem } from "../src/wasm/engine-wasm.js";
import { dsnetGraph, randomGraph, randomGraphNetwork, randomImages, worstDifference } from "./graphs.js";



describe("the WebAssembly graph plan matches the TypeScript engine", () => {
  it("on random graphs, every op among them", async () => {
    const seen = new Set<GraphOp>();
    for (const maxFilters of [6, 24]) {
      for (let seed = 1; seed <= 40; seed++) {
        const graph = randomGraph(seed, maxFilters);
        analyzeGraph(graph).graph.nodes.forEach((node) => seen.add(node.op));
        const network = randomGraphNetwork(graph, seed);
        const wasm = await createWasmEngine(network);
        expect(wasm?.kind).toBe("wasm");
        const images = randomImages(3, graph.inputSize ** 2, seed);
        expect(worstDifference(wasm!.forward(images, 3), createJsEngine(network).forward(images, 3)), JSON.stringify(graph)).toBeLessThanOrEqual(1e-4);
      }
    }
    expect([...seen].sort()).toEqual(["add", "conv2d", "dense", "depthwiseConv2d", "flatten", "globalAvgPool", "maxPool", "relu", "rescale"]);
  });

  it("depthwise 3x3 and 1x1/3x3 convolutions at every small map size, strides 1 and 2 (map borders, channel tails)", async () => {
    for (const channels of [4, 5, 8]) {
      for (const stride of [1, 2]) {
        for (let side = 1; side <= 9; side++) {
          const graph: LayerGraph = {
            name: "edges", inputSize: side, nodes: [
              { op: "conv2d", name: "expand", inputs: ["input"], kernel: 3, stride: 1, filters: channels, weights: "e/w", bias: "e/b" },
              { op: "depthwiseConv2d", name: "dw", inputs: ["expand"], kernel: 3, stride, weights: "d/w", bias: "d/b", relu: true },
              { op: "conv2d", name: "pw", inputs: ["dw"], kernel: 1, stride, filters: 9, weights: "p/w", relu: true },
              { op: "maxPool", name: "pool", inputs: ["pw"], size: 3, stride },
              { op: "globalAvgPool", name: "gap", inputs: ["pool"] },
              { op: "dense", name: "out", inputs: ["gap"], units: 3, weights: "o/w", bias: "o/b" },
            ],
          };
          const network = randomGraphNetwork(graph, side);
          const images = randomImages(2, side * side, side);
          const wasm = await createWasmEngine(network);
          expect(worstDifference(wasm!.forward(images, 2), createJsEngine(network).forward(images, 2)), `${channels} channels, stride ${stride}, side ${side}`).toBeLessThanOrEqual(1e-4);
        }
      }
    }
  });

  it("on dsnet (random weights), and distinct images give distinct logits", async () => {
    const network = randomGraphNetwork(dsnetGraph(7), 5);
    expect(wasmGraphProblem(network)).toBeUndefined();
    const wasm = await createWasmEngine(network);
    const images = randomImages(5, 84 * 84, 9);
    for (let p = 0; p < 84 * 84; p++) images[84 * 84 + p] = (p % 84) * 3; // a gradient
    const expected = createJsEngine(network).forward(images, 5);
    const actual = wasm!.forward(images, 5);
    expect(worstDifference(actual, expected)).toBeLessThanOrEqual(1e-4);
    for (let i = 1; i < 5; i++) expect(worstDifference(expected.subarray(0, 7), expected.subarray(7 * i, 7 * i + 7))).toBeGreaterThan(1e-3);
    // Run again: no state left over from the previous images.
    expect(wasm!.forward(images.subarray(84 * 84, 2 * 84 * 84), 1)).toEqual(actual.subarray(7, 14));
  });

  it("runs a family member the Winograd kernels cannot (a 24-filter conv1)", async () => {
    const graph = architectureGraph("microexpnet", 7);
    graph.name = "microexpnet-wide";
    (graph.nodes[0] as { filters: number }).filters = 24;
    const network = randomGraphNetwork(graph, 2);
    const images = randomImages(2, 84 * 84, 3);
    const wasm = await createWasmEngine(network);
    expect(worstDifference(wasm!.forward(images, 2), createJsEngine(network).forward(images, 2))).toBeLessThanOrEqual(1e-4);
  });

  it("resolves null (the caller falls back) for a graph whose buffers need more than WebAssembly's 4 GB", async () => {
    // 70 maps of 1024 x 1024 x 16 floats: 64 MB each, 4.4 GB in all (past 2^31 bytes on the way).
    const nodes: LayerGraph["nodes"] = [];
    let last = "input";
    for (let i = 0; i < 70; i++) {
      nodes.push({ op: "conv2d", name: `c${i}`, inputs: [last], kernel: 1, stride: 1, filters: 16, weights: `c${i}/w` });
      last = `c${i}`;
    }
    nodes.push({ op: "globalAvgPool", name: "gap", inputs: [last] }, { op: "dense", name: "out", inputs: ["gap"], units: 2, weights: "o/w" });
    const network = randomGraphNetwork({ name: "huge", inputSize: 1024, nodes }, 1);
    expect(await createWasmEngine(network)).toBeNull();
  });

  it("names a tensor that does not fit the graph", async () => {
    const network = randomGraphNetwork(dsnetGraph(7), 5);
    network.tensors["stem/kernel"] = new Float32Array(3);
    await expect(createWasmEngine(network)).rejects.toThrow("createWasmEngine: cannot run network dsnet: tensor stem/kernel has 3 values, expected 144 (3x3x1x16)");
  });
});
