import type { NetworkWeights } from "./architecture.js";
import type { ForwardEngine } from "./engine.js";
import { analyzeGraph, MISSING_GRAPH } from "./graph/analyze.js";
import type { GraphNode } from "./graph/layer-graph.js";
import { GRAPH_INPUT } from "./graph/layer-graph.js";
import type { FeatureMap } from "./graph/ops.js";
import { add, conv2d, dense, depthwiseConv2d, globalAvgPool, maxPool, relu, rescale } from "./graph/ops.js";

/** A node's output for one image: a map, or a vector (height = width = 1 is not assumed). */
type Value = FeatureMap | Float32Array;

const asMap = (value: Value): FeatureMap => value as FeatureMap;
const asVector = (value: Value): Float32Array => (value instanceof Float32Array ? value : value.data);

/** Throws unless every parameter the graph names is a Float32Array of its shape's size. */
export function checkNetworkTensors(network: NetworkWeights, what: string): void {
  const { parameters } = analyzeGraph(network.graph);
  for (const { name, shape } of parameters) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = network.tensors[name];
    if (!(values instanceof Float32Array) || values.length !== size) {
      throw new Error(`${what}: tensor ${name} has ${values instanceof Float32Array ? values.length : "no"} values, graph ${network.graph.name} needs ${size} (${shape.join("x")})`);
    }
  }
}

/** Runs one node on its inputs' values. */
function runNode(node: GraphNode, inputs: Value[], t: NetworkWeights["tensors"]): Value {
  const [x] = inputs;
  const bias = (name: string | undefined) => (name === undefined ? undefined : t[name]);
  switch (node.op) {
    case "rescale": {
      const data = rescale(asVector(x), node.scale, node.offset);
      return x instanceof Float32Array ? data : { ...x, data };
    }
    case "relu": {
      const data = relu(asVector(x));
      return x instanceof Float32Array ? data : { ...x, data };
    }
    case "conv2d":
      return conv2d(asMap(x), t[node.weights], bias(node.bias), node.kernel, node.stride, node.filters, node.relu === true);
    case "depthwiseConv2d":
      return depthwiseConv2d(asMap(x), t[node.weights], bias(node.bias), node.kernel, node.stride, node.relu === true);
    case "maxPool":
      return maxPool(asMap(x), node.size, node.stride);
    case "globalAvgPool":
      return globalAvgPool(asMap(x));
    case "flatten":
      return asMap(x).data; // NHWC row-major is already the flattened order
    case "dense":
      return dense(asVector(x), t[node.weights], bias(node.bias), node.units, node.relu === true);
    case "add": {
      const data = add(asVector(x), asVector(inputs[1]), node.relu === true);
      return x instanceof Float32Array ? data : { ...x, data };
    }
  }
}

/** The reference forward pass in plain TypeScript: runs any layer graph, anywhere. */
export function createJsEngine(network: NetworkWeights): ForwardEngine {
  if (network.graph === undefined) throw new Error(`createJsEngine: ${MISSING_GRAPH}`);
  const { graph, numClasses } = analyzeGraph(network.graph);
  checkNetworkTensors(network, "createJsEngine");
  const { tensors } = network;
  const side = graph.inputSize;
  const pixels = side * side;
  // After its last reader has run, a node's value is dropped.
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((node, i) => node.inputs.forEach((input) => lastUse.set(input, i)));
  const forwardOne = (image: Float32Array): Float32Array => {
    const values = new Map<string, Value>([[GRAPH_INPUT, { data: image, height: side, width: side, channels: 1 }]]);
    let out: Value = image;
    graph.nodes.forEach((node, i) => {
      out = runNode(node, node.inputs.map((input) => values.get(input)!), tensors);
      values.set(node.name, out);
      for (const input of node.inputs) if (lastUse.get(input) === i) values.delete(input);
    });
    return asVector(out);
  };
  return {
    kind: "js",
    network,
    forward(input, batch) {
      if (input.length !== batch * pixels) {
        throw new Error(`forward: expected ${batch} x ${pixels} input values, got ${input.length}`);
      }
      const logits = new Float32Array(batch * numClasses);
      for (let b = 0; b < batch; b++) {
        logits.set(forwardOne(input.subarray(b * pixels, (b + 1) * pixels)), b * numClasses);
      }
      return logits;
    },
  };
}
