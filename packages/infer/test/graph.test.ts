import { describe, expect, it } from "vitest";
import { allArchitectureIds, describeArchitecture, multiplyAdds, parameterCount, tensorShapes, TENSOR_NAMES } from "../src/architecture.js";
import { createJsEngine } from "../src/forward-js.js";
import { analyzeGraph, GraphError } from "../src/graph/analyze.js";
import { architectureGraph, familyGraph, familySpecOf } from "../src/graph/family.js";
import type { GraphNode, LayerGraph } from "../src/graph/layer-graph.js";
import type { NetworkWeights } from "../src/architecture.js";
import { checkModelWeights, encodeWeights } from "../src/weights-format.js";
import { dsnetGraph, randomGraphNetwork } from "./graphs.js";
import { LABELS, randomNetwork } from "./weights-files.js";

/** A small valid graph to break in one place at a time. */
function small(): LayerGraph {
  return {
    name: "small",
    inputSize: 6,
    nodes: [
      { op: "conv2d", name: "c1", inputs: ["input"], kernel: 3, stride: 1, filters: 4, weights: "c1/w", bias: "c1/b", relu: true },
      { op: "depthwiseConv2d", name: "d1", inputs: ["c1"], kernel: 3, stride: 1, weights: "d1/w" },
      { op: "add", name: "sum", inputs: ["c1", "d1"], relu: true },
      { op: "maxPool", name: "p", inputs: ["sum"], size: 2, stride: 2 },
      { op: "flatten", name: "f", inputs: ["p"] },
      { op: "dense", name: "out", inputs: ["f"], units: 3, weights: "out/w", bias: "out/b" },
    ],
  };
}

function broken(edit: (nodes: Record<string, unknown>[], graph: Record<string, unknown>) => void): unknown {
  const graph = JSON.parse(JSON.stringify(small()));
  edit(graph.nodes, graph);
  return graph;
}

describe("layer graphs", () => {
  it("infers shapes, parameters, parameter count and multiply-adds", () => {
    const a = analyzeGraph(small());
    expect(Object.fromEntries(a.shapes)).toEqual({ input: [6, 6, 1], c1: [6, 6, 4], d1: [6, 6, 4], sum: [6, 6, 4], p: [3, 3, 4], f: [36], out: [3] });
    expect(a.parameters.map((p) => `${p.name}:${p.shape}`)).toEqual(["c1/w:3,3,1,4", "c1/b:4", "d1/w:3,3,4,1", "out/w:36,3", "out/b:3"]);
    expect(a.numClasses).toBe(3);
    expect(a.parameterCount).toBe(36 + 4 + 36 + 108 + 3);
    expect(a.multiplyAdds).toBe(36 * 9 * 4 + 36 * 9 * 4 + 36 * 3);
  });

  it("expresses every family member, with the authors' tensor names, shapes, counts and multiply-adds", () => {
    for (const id of allArchitectureIds()) {
      for (const numClasses of [7, 8]) {
        const spec = describeArchitecture(id, numClasses);
        const a = analyzeGraph(familyGraph(spec));
        const shapes = tensorShapes(spec);
        expect(a.parameters.map((p) => p.name)).toEqual([...TENSOR_NAMES]);
        for (const p of a.parameters) expect(p.shape, `${id} ${p.name}`).toEqual(shapes[p.name as keyof typeof shapes]);
        expect(a.parameterCount).toBe(parameterCount(spec));
        expect(a.multiplyAdds).toBe(multiplyAdds(spec));
        expect(a.shapes.get("flatten")).toEqual([spec.flatSize]);
        expect(familySpecOf(a.graph, numClasses)).toEqual(spec);
      }
    }
    expect(architectureGraph("microexpnet").name).toBe("p12-XXS");
  });

  it("refuses a graph that borrows a family member's name", () => {
    const graph = architectureGraph("p12-XXS");
    (graph.nodes[0] as Extract<GraphNode, { op: "conv2d" }>).filters = 24;
    expect(() => familySpecOf(graph, 8)).toThrow(/graph "p12-XXS" is not the p12-XXS family member's graph/);
  });

  it("describes the dsnet test network: 84 -> 42 -> 21 -> 11 -> 6, global pooling, residual adds", () => {
    const a = analyzeGraph(dsnetGraph(7));
    expect(a.shapes.get("stem")).toEqual([42, 42, 16]);
    expect(a.shapes.get("sep1_pool")).toEqual([21, 21, 32]);
    expect(a.shapes.get("block1_add")).toEqual([11, 11, 64]);
    expect(a.shapes.get("block2_add")).toEqual([6, 6, 128]);
    expect(a.shapes.get("gap")).toEqual([256]);
    expect(a.numClasses).toBe(7);
    // Counted by hand, layer by layer (the folded biases included): about 80 k and 9.5 M, as its builder says.
    expect(a.parameterCount).toBe(80951);
    expect(a.multiplyAdds).toBe(9450144);
  });

  const cases: [string, (nodes: Record<string, unknown>[], graph: Record<string, unknown>) => void, RegExp][] = [
    ["unknown input", (n) => (n[1].inputs = ["c9"]), /graph "small": node "d1" \(depthwiseConv2d\) reads "c9", which is neither "input" nor a node/],
    ["cycle", (n) => (n[0].inputs = ["sum"]), /graph "small": cycle: "c1" -> "sum" -> "c1"/],
    ["self", (n) => (n[1].inputs = ["d1"]), /node "d1" \(depthwiseConv2d\) reads its own output/],
    ["later node", (n) => n.splice(0, 2, n[1], n[0]), /node "d1" \(depthwiseConv2d\) reads "c1", which runs after it \(nodes are listed in the order they run\)/],
    ["duplicate name", (n) => (n[1].name = "c1"), /two nodes are named "c1" \(nodes 0 and 1\)/],
    ["add of different shapes", (n) => (n[2].inputs = ["c1", "input"]), /node "sum" \(add\) adds "c1" \[6, 6, 4\] and "input" \[6, 6, 1\]: shapes differ/],
    ["dense on a map", (n) => n.splice(4, 1, { ...n[4], op: "relu" }), /node "out" \(dense\) needs a vector, its input "f" is a \[3, 3, 4\] map \(flatten or globalAvgPool it first\)/],
    ["conv on a vector", (n) => n.splice(5, 0, { op: "conv2d", name: "c2", inputs: ["f"], kernel: 1, stride: 1, filters: 2, weights: "x" }), /node "c2" \(conv2d\) needs a \[height, width, channels\] map, its input "f" is a vector of 36/],
    ["field it would ignore", (n) => (n[0].padding = "valid"), /node 0 \("c1"\) \(conv2d\) has a field "padding" that conv2d does not take/],
    ["unknown op", (n) => (n[3].op = "avgPool"), /node 3 \("p"\) has unknown op "avgPool" \(known: rescale, conv2d/],
    ["bad kernel", (n) => (n[0].kernel = 0), /node 0 \("c1"\) \(conv2d\): kernel must be an integer 1\.\.32, got 0/],
    ["fractional stride", (n) => (n[0].stride = 1.5), /stride must be an integer 1\.\.16, got 1\.5/],
    ["relu not a boolean", (n) => (n[0].relu = "yes"), /relu must be true or false, got "yes"/],
    ["arity", (n) => (n[2].inputs = ["c1"]), /node 2 \("sum"\) \(add\) must list 2 input names in "inputs"/],
    ["tensor used twice", (n) => (n[1].weights = "c1/w"), /node "d1" \(depthwiseConv2d\) names tensor "c1\/w", which node "c1" already uses/],
    ["unused node", (n) => (n[2].inputs = ["c1", "c1"]), /the output of node "d1" is never used/],
    ["output not a vector", (n) => n.splice(4, 2), /the last node "p" must output a vector of at least 2 logits, it outputs \[3, 3, 4\]/],
    ["a tensor named __proto__", (n) => (n[0].weights = "__proto__"), /node 0 \("c1"\) \(conv2d\): weights "__proto__" cannot name a node or tensor/],
    ["node named input", (n) => (n[0].name = "input"), /node 0 is named "input"/],
    ["unknown graph field", (_, g) => (g.outputs = ["out"]), /graph: unknown field "outputs"/],
    ["input size", (_, g) => (g.inputSize = 5000), /graph "small": inputSize must be an integer 1\.\.1024, got 5000/],
    ["no nodes", (_, g) => (g.nodes = []), /nodes must be a list of 1\.\.4096 nodes/],
    ["rescale by infinity", (n) => n.unshift({ op: "rescale", name: "r", inputs: ["input"], scale: 1e39, offset: 0 }), /scale must be a number finite in float32, got 1e\+39/],
    ["huge map", (n, g) => Object.assign(g, { inputSize: 1024 }) && Object.assign(n[0], { filters: 64 }), /graph "small": node "c1" \(conv2d\) outputs \[1024, 1024, 64\], more than 16777216 values/],
  ];
  it.each(cases)("rejects a graph with a clear error: %s", (_, edit, message) => {
    expect(() => analyzeGraph(broken(edit))).toThrow(GraphError);
    expect(() => analyzeGraph(broken(edit))).toThrow(message);
  });
  it("rejects what is not a graph at all", () => {
    expect(() => analyzeGraph([1])).toThrow(/^graph: must be an object \{ name, inputSize, nodes \}, got \[1\]$/);
  });
});

describe("the TypeScript engine on graphs", () => {
  it("computes a small graph as written by hand", () => {
    // input 2x2 [1 2; 3 4] -> rescale x*2-1 -> [1 3; 5 7]; relu; add to itself -> [2 6; 10 14];
    // global average -> [8]; dense [1, -1] + [0, 1] -> [8, -7]
    const graph: LayerGraph = {
      name: "hand",
      inputSize: 2,
      nodes: [
        { op: "rescale", name: "r", inputs: ["input"], scale: 2, offset: -1 },
        { op: "relu", name: "relu", inputs: ["r"] },
        { op: "add", name: "twice", inputs: ["relu", "relu"] },
        { op: "globalAvgPool", name: "g", inputs: ["twice"] },
        { op: "dense", name: "out", inputs: ["g"], units: 2, weights: "w", bias: "b" },
      ],
    };
    const engine = createJsEngine({ graph, tensors: { w: Float32Array.of(1, -1), b: Float32Array.of(0, 1) } });
    expect(Array.from(engine.forward(Float32Array.of(1, 2, 3, 4, 0, 0, 0, 0), 2))).toEqual([8, -7, 0, 1]); // the zero image: rescaled to -1, cut by the ReLU
  });

  it("pads like TensorFlow's SAME: a 3x3 depthwise sum and a 2x2/2 max-pool on a 3x3 map", () => {
    const graph: LayerGraph = {
      name: "same",
      inputSize: 3,
      nodes: [
        { op: "depthwiseConv2d", name: "box", inputs: ["input"], kernel: 3, stride: 2, weights: "ones" },
        { op: "maxPool", name: "max", inputs: ["input"], size: 2, stride: 2 },
        { op: "flatten", name: "fb", inputs: ["box"] },
        { op: "flatten", name: "fm", inputs: ["max"] },
        { op: "add", name: "both", inputs: ["fb", "fm"] },
      ],
    };
    const image = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
    // SAME, stride 2 on a side of 3: 2 outputs. The 3x3 window pads one cell before and after, so
    // it sums rows/cols {0,1} and {1,2}: [12 16; 24 28]. The 2x2 window pads one cell after only,
    // so it takes the maxima of {0,1} and {2}: [5 6; 8 9].
    const engine = createJsEngine({ graph, tensors: { ones: new Float32Array(9).fill(1) } });
    expect(Array.from(engine.forward(image, 1))).toEqual([12 + 5, 16 + 6, 24 + 8, 28 + 9]);
  });

  it("names a missing or wrong-sized tensor", () => {
    const network = randomGraphNetwork(dsnetGraph(7));
    delete network.tensors["block1_b_pw/bias"];
    expect(() => createJsEngine(network)).toThrow("createJsEngine: tensor block1_b_pw/bias has no values, graph dsnet needs 64 (64)");
    network.tensors["block1_b_pw/bias"] = new Float32Array(3);
    expect(() => createJsEngine(network)).toThrow("createJsEngine: tensor block1_b_pw/bias has 3 values, graph dsnet needs 64 (64)");
  });

  it("tells code written for { spec, tensors } networks what a network is now", () => {
    const { spec, tensors } = randomNetwork();
    const old = { spec, tensors } as unknown as NetworkWeights;
    expect(() => createJsEngine(old)).toThrow("createJsEngine: the network has no graph: a network is { graph, tensors } (familyNetwork(spec, tensors) makes a family member's)");
    expect(() => encodeWeights(old, { labels: LABELS })).toThrow(/^the network has no graph/);
    expect(() => checkModelWeights({ network: old, labels: LABELS, normalization: { scale: 1, offset: 0 }, model: {} }, "w")).toThrow(/^w: the network has no graph/);
  });

  it("runs dsnet", () => {
    const engine = createJsEngine(randomGraphNetwork(dsnetGraph(7), 3));
    const logits = engine.forward(Float32Array.from({ length: 2 * 84 * 84 }, (_, i) => (i * 37) % 256), 2);
    expect(logits).toHaveLength(14);
    expect(logits.every(Number.isFinite)).toBe(true);
    expect(logits.subarray(0, 7)).not.toEqual(logits.subarray(7));
  });
});
