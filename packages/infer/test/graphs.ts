// Test graphs beyond the paper's family: the lead's depthwise-separable "dsnet" (batch norm
// folded into each convolution's bias), and random weights for any graph.
import type { NetworkWeights } from "../src/architecture.js";
import { analyzeGraph } from "../src/graph/analyze.js";
import type { GraphNode, LayerGraph } from "../src/graph/layer-graph.js";

/**
 * dsnet after batch-norm folding: x/255; stem conv 3x3/2 (16); dw 3x3 + pw to 32, max-pool;
 * two residual blocks (dw, pw, relu, dw, pw, max-pool; shortcut 1x1/2; add; relu) to 64 and
 * 128; dw + pw to 256; global average pool; dense to the classes (dropout is the identity).
 */
export function dsnetGraph(numClasses = 7): LayerGraph {
  const nodes: GraphNode[] = [];
  let last = "input";
  const add = (node: GraphNode): string => {
    nodes.push(node);
    return (last = node.name);
  };
  const conv = (name: string, kernel: number, stride: number, filters: number, relu: boolean, from = last) =>
    add({ op: "conv2d", name, inputs: [from], kernel, stride, filters, weights: `${name}/kernel`, bias: `${name}/bias`, relu });
  const dw = (name: string, relu: boolean) =>
    add({ op: "depthwiseConv2d", name, inputs: [last], kernel: 3, stride: 1, weights: `${name}/kernel`, bias: `${name}/bias`, relu });
  add({ op: "rescale", name: "rescale", inputs: [last], scale: 1 / 255, offset: 0 });
  conv("stem", 3, 2, 16, true);
  dw("ds1_dw", true);
  conv("ds1_pw", 1, 1, 32, true);
  add({ op: "maxPool", name: "ds1_pool", inputs: [last], size: 2, stride: 2 });
  for (const [block, filters] of [["a", 64], ["b", 128]] as const) {
    const blockInput = last;
    dw(`${block}_dw1`, false);
    conv(`${block}_pw1`, 1, 1, filters, true);
    dw(`${block}_dw2`, false);
    conv(`${block}_pw2`, 1, 1, filters, false);
    const main = add({ op: "maxPool", name: `${block}_pool`, inputs: [last], size: 2, stride: 2 });
    const shortcut = conv(`${block}_shortcut`, 1, 2, filters, false, blockInput);
    add({ op: "add", name: `${block}_add`, inputs: [main, shortcut], relu: true });
  }
  dw("head_dw", true);
  conv("head_pw", 1, 1, 256, true);
  add({ op: "globalAvgPool", name: "pool", inputs: [last] });
  add({ op: "dense", name: "logits", inputs: [last], units: numClasses, weights: "logits/kernel", bias: "logits/bias" });
  return { name: "dsnet", inputSize: 84, nodes };
}

/** mulberry32: a seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** He-uniform weights (signals keep their scale through deep ReLU chains) and small random biases for every parameter of a graph. */
export function randomGraphNetwork(graph: LayerGraph, seed = 1): NetworkWeights {
  const random = seededRandom(seed);
  const { graph: checked, parameters } = analyzeGraph(graph);
  const depthwise = new Set(checked.nodes.filter((node) => node.op === "depthwiseConv2d").map((node) => node.name));
  const tensors: Record<string, Float32Array> = {};
  for (const { name, shape, node } of parameters) {
    const size = shape.reduce((a, b) => a * b, 1);
    // Depthwise kernels [k, k, c, 1] see k*k inputs per output; convolutions k*k*c; dense rows.
    const fanIn = shape.length === 4 ? shape[0] * shape[1] * (depthwise.has(node) ? 1 : shape[2]) : shape[0];
    const limit = shape.length === 1 ? 0.1 : Math.sqrt(6 / fanIn);
    tensors[name] = Float32Array.from({ length: size }, () => (2 * random() - 1) * limit);
  }
  return { graph, tensors };
}
