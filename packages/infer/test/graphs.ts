// Test graphs beyond the paper's family: the lead's depthwise-separable "dsnet" (batch norm
// folded into each convolution's bias), and random weights for any graph.
import type { NetworkWeights } from "../src/architecture.js";
import { analyzeGraph } from "../src/graph/analyze.js";
import type { GraphNode, LayerGraph } from "../src/graph/layer-graph.js";
import { seededRandom } from "../../../test-support/random.js";

/**
 * The lead's dsnet (packages/models/src/dsnet.ts) after batch-norm folding, with its layer
 * names: x/255; stem conv 3x3/2 to 16 (BN, relu); separable (depthwise 3x3 without bias, then
 * pointwise 1x1 with BN, relu) to 32 and a max-pool; two residual blocks (two separable
 * convolutions, the second without relu, a max-pool; a 1x1/2 shortcut with BN; add; relu) to
 * 64 and 128; separable to 256; global average pool; dense to the classes (dropout is the
 * identity). Folding gives every convolution before a BN a bias.
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
  const separable = (name: string, filters: number, relu = true) => {
    add({ op: "depthwiseConv2d", name: `${name}_dw`, inputs: [last], kernel: 3, stride: 1, weights: `${name}_dw/kernel` });
    return conv(`${name}_pw`, 1, 1, filters, relu);
  };
  const pool = (name: string) => add({ op: "maxPool", name, inputs: [last], size: 2, stride: 2 });
  add({ op: "rescale", name: "rescale", inputs: [last], scale: 1 / 255, offset: 0 });
  conv("stem", 3, 2, 16, true);
  separable("sep1", 32);
  pool("sep1_pool");
  for (const [block, filters] of [["block1", 64], ["block2", 128]] as const) {
    const blockInput = last;
    separable(`${block}_a`, filters);
    separable(`${block}_b`, filters, false);
    const main = pool(`${block}_pool`);
    const shortcut = conv(`${block}_skip`, 1, 2, filters, false, blockInput);
    add({ op: "add", name: `${block}_add`, inputs: [main, shortcut], relu: true });
  }
  separable("sep2", 256);
  add({ op: "globalAvgPool", name: "gap", inputs: [last] });
  add({ op: "dense", name: "logits", inputs: [last], units: numClasses, weights: "logits/kernel", bias: "logits/bias" });
  return { name: "dsnet", inputSize: 84, nodes };
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

/** A node before it is named (Omit over each member of the union). */
type Unnamed<N = GraphNode> = N extends GraphNode ? Omit<N, "name"> : never;

/** A random valid graph: a chain of ops with residual branches, ending in logits; convolutions of 1..maxFilters filters. */
export function randomGraph(seed: number, maxFilters = 6): LayerGraph {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const maybe = () => random() < 0.5;
  const nodes: GraphNode[] = [];
  let last = "input";
  let channels = 1;
  let n = 0;
  const push = (node: Unnamed): string => {
    const name = `${node.op}${n++}`;
    nodes.push({ ...node, name } as GraphNode);
    return name;
  };
  const params = (name: string) => ({ weights: `${name}/w`, ...(maybe() ? { bias: `${name}/b` } : {}), ...(maybe() ? { relu: true } : {}) });
  if (maybe()) last = push({ op: "rescale", inputs: [last], scale: 1 / 255, offset: -0.5 });
  for (let step = int(2, 6); step > 0; step--) {
    const kind = int(0, 5);
    if (kind === 0 || channels === 1) {
      const filters = int(1, maxFilters);
      last = push({ op: "conv2d", inputs: [last], kernel: int(1, 5), stride: int(1, 3), filters, ...params(`c${n}`) });
      channels = filters;
    } else if (kind === 1) {
      last = push({ op: "depthwiseConv2d", inputs: [last], kernel: [1, 2, 3, 3, 5][int(0, 4)], stride: int(1, 2), ...params(`d${n}`) });
    } else if (kind === 2) {
      last = push({ op: "maxPool", inputs: [last], size: int(1, 3), stride: int(1, 3) });
    } else if (kind === 3) {
      last = push({ op: "relu", inputs: [last] });
    } else {
      // A residual branch: depthwise then pointwise (or a plain conv), added back.
      const from = last;
      let branch = maybe() ? push({ op: "depthwiseConv2d", inputs: [from], kernel: 3, stride: 1, ...params(`d${n}`) }) : from;
      branch = push({ op: "conv2d", inputs: [branch], kernel: int(1, 3), stride: 1, filters: channels, ...params(`c${n}`) });
      last = push({ op: "add", inputs: [from, branch], ...(maybe() ? { relu: true } : {}) });
    }
  }
  last = push({ op: maybe() ? "globalAvgPool" : "flatten", inputs: [last] });
  if (maybe()) last = push({ op: "dense", inputs: [last], units: int(2, 8), weights: "h/w", bias: "h/b", relu: true });
  push({ op: "dense", inputs: [last], units: int(2, 5), weights: "out/w", ...(maybe() ? { bias: "out/b" } : {}) });
  return { name: `random-${seed}`, inputSize: int(5, 12), nodes };
}

/** `count` images of `pixels` random raw pixel values (integers 0..255). */
export function randomImages(count: number, pixels: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: count * pixels }, () => Math.floor(random() * 256));
}

/** Worst difference between two engines' logits, relative to max(1, |expected|). */
export function worstDifference(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} logits against ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  return worst;
}
