/**
 * Checks a layer graph (typed in code or read from a file as JSON) and infers its shapes: every
 * node's output shape, every parameter tensor's shape, the number of classes, the parameter
 * count and the multiply-adds. Anything it cannot run exactly as written is an error that
 * names the graph, the node and the problem: an unknown field (a "padding" it would ignore), an
 * unknown or later input, a cycle, shapes that do not fit, a node whose output is never used.
 */
import type { GraphNode, GraphOp, LayerGraph } from "./layer-graph.js";
import { GRAPH_INPUT } from "./layer-graph.js";
import { recogniseAcrossCopies } from "../recognisable-error.js";

export class GraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GraphError";
  }
}
recogniseAcrossCopies(GraphError, "@microexp/infer:GraphError");

/** A parameter tensor the graph needs: its name, TF-layout shape and the node that reads it. */
export interface GraphParameter {
  name: string;
  shape: number[];
  node: string;
}

export interface GraphAnalysis {
  /** The checked graph: a copy holding only the fields the runtime reads. */
  graph: LayerGraph;
  /** Each node's output shape for one image, "input" included: [height, width, channels] or [length]. */
  shapes: Map<string, number[]>;
  /** In the order the nodes first read them (the order a weights file stores them). */
  parameters: GraphParameter[];
  /** Length of the last node's output. */
  numClasses: number;
  parameterCount: number;
  /** Multiply-adds of one image in the convolutions and dense layers. */
  multiplyAdds: number;
}

/** Output side of a TF "SAME" window with the given stride. */
export function sameOutputSize(input: number, stride: number): number {
  return Math.ceil(input / stride);
}

/** Limits that keep a hostile file from asking for gigabytes. */
const MAX_INPUT_SIZE = 1024;
const MAX_NODES = 4096;
const MAX_ELEMENTS = 1 << 24;

interface OpFields {
  inputs: number;
  /** Integer fields and their allowed range. */
  integers?: Record<string, [number, number]>;
  /** Fields that must be numbers finite in float32. */
  numbers?: string[];
  /** Takes a weights tensor and an optional bias tensor. */
  parameters?: boolean;
  /** Takes an optional fused ReLU. */
  relu?: boolean;
}

const OPS: Record<GraphOp, OpFields> = {
  rescale: { inputs: 1, numbers: ["scale", "offset"] },
  conv2d: { inputs: 1, integers: { kernel: [1, 32], stride: [1, 16], filters: [1, 65536] }, parameters: true, relu: true },
  depthwiseConv2d: { inputs: 1, integers: { kernel: [1, 32], stride: [1, 16] }, parameters: true, relu: true },
  maxPool: { inputs: 1, integers: { size: [1, 32], stride: [1, 16] } },
  globalAvgPool: { inputs: 1 },
  flatten: { inputs: 1 },
  dense: { inputs: 1, integers: { units: [1, 1 << 20] }, parameters: true, relu: true },
  relu: { inputs: 1 },
  add: { inputs: 2, relu: true },
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const shown = (value: unknown): string => JSON.stringify(value) ?? String(value);
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;
const shapeText = (shape: number[]): string => `[${shape.join(", ")}]`;

function nameProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return `must be a non-empty string, got ${shown(value)}`;
  if (value.length > 200 || UNPRINTABLE.test(value)) return `${shown(value)} is longer than 200 characters or holds a control character`;
  // Tensors are looked up by name in plain objects, where this name is the prototype.
  if (value === "__proto__") return `"__proto__" cannot name a node or tensor`;
  return undefined;
}

/** Checks one node's fields and returns a copy with only those fields. */
function checkNodeFields(raw: unknown, where: string, fail: (message: string) => never): GraphNode {
  if (!isObject(raw)) return fail(`${where} must be an object, got ${shown(raw)}`);
  const op = raw.op;
  if (typeof op !== "string" || !Object.prototype.hasOwnProperty.call(OPS, op)) {
    return fail(`${where} has unknown op ${shown(op)} (known: ${Object.keys(OPS).join(", ")})`);
  }
  const spec = OPS[op as GraphOp];
  const allowed = new Set(["op", "name", "inputs", ...Object.keys(spec.integers ?? {}), ...(spec.numbers ?? [])]);
  if (spec.parameters) allowed.add("weights").add("bias");
  if (spec.relu) allowed.add("relu");
  for (const key of Object.keys(raw)) if (!allowed.has(key)) fail(`${where} (${op}) has a field ${shown(key)} that ${op} does not take (it takes ${[...allowed].join(", ")})`);
  const node: Record<string, unknown> = { op };
  const nameError = nameProblem(raw.name);
  if (nameError) fail(`${where}: name ${nameError}`);
  node.name = raw.name;
  const inputs = raw.inputs;
  if (!Array.isArray(inputs) || inputs.length !== spec.inputs || inputs.some((input) => typeof input !== "string")) {
    fail(`${where} (${op}) must list ${spec.inputs} input name${spec.inputs > 1 ? "s" : ""} in "inputs", got ${shown(inputs)}`);
  }
  node.inputs = [...(inputs as string[])];
  for (const [key, [min, max]] of Object.entries(spec.integers ?? {})) {
    const value = raw[key];
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) fail(`${where} (${op}): ${key} must be an integer ${min}..${max}, got ${shown(value)}`);
    node[key] = value;
  }
  for (const key of spec.numbers ?? []) {
    const value = raw[key];
    if (typeof value !== "number" || !Number.isFinite(Math.fround(value))) fail(`${where} (${op}): ${key} must be a number finite in float32, got ${shown(value)}`);
    node[key] = value;
  }
  if (spec.parameters) {
    const weightsError = nameProblem(raw.weights);
    if (weightsError) fail(`${where} (${op}): weights ${weightsError}`);
    node.weights = raw.weights;
    if (raw.bias !== undefined) {
      const biasError = nameProblem(raw.bias);
      if (biasError) fail(`${where} (${op}): bias ${biasError}`);
      node.bias = raw.bias;
    }
  }
  if (spec.relu && raw.relu !== undefined) {
    if (typeof raw.relu !== "boolean") fail(`${where} (${op}): relu must be true or false, got ${shown(raw.relu)}`);
    node.relu = raw.relu;
  }
  return node as unknown as GraphNode;
}

/** The names of a cycle through `start`, following inputs, or undefined when there is none. */
function cycleThrough(start: string, byName: Map<string, GraphNode>): string[] | undefined {
  const path: string[] = [];
  const done = new Set<string>();
  const visit = (name: string): boolean => {
    if (name === start && path.length > 0) return true;
    if (done.has(name) || !byName.has(name)) return false;
    done.add(name);
    path.push(name);
    for (const input of byName.get(name)!.inputs) if (visit(input)) return true;
    path.pop();
    return false;
  };
  return visit(start) ? [...path, start] : undefined;
}

/** Checks a graph and infers its shapes; throws a GraphError naming the problem. */
export function analyzeGraph(raw: unknown): GraphAnalysis {
  let label = "graph";
  const fail = (message: string): never => {
    throw new GraphError(`${label}: ${message}`);
  };
  if (!isObject(raw)) return fail(`must be an object { name, inputSize, nodes }, got ${shown(raw)}`);
  for (const key of Object.keys(raw)) if (!["name", "inputSize", "nodes"].includes(key)) fail(`unknown field ${shown(key)} (a graph has name, inputSize, nodes)`);
  const graphNameError = nameProblem(raw.name);
  if (graphNameError) fail(`name ${graphNameError}`);
  label = `graph ${shown(raw.name)}`;
  const inputSize = raw.inputSize;
  if (!Number.isInteger(inputSize) || (inputSize as number) < 1 || (inputSize as number) > MAX_INPUT_SIZE) {
    fail(`inputSize must be an integer 1..${MAX_INPUT_SIZE}, got ${shown(inputSize)}`);
  }
  if (!Array.isArray(raw.nodes) || raw.nodes.length === 0 || raw.nodes.length > MAX_NODES) fail(`nodes must be a list of 1..${MAX_NODES} nodes, got ${shown(raw.nodes)?.slice(0, 80)}`);
  const nodes = (raw.nodes as unknown[]).map((node, i) => checkNodeFields(node, `node ${i}${isObject(node) && typeof node.name === "string" ? ` (${shown(node.name)})` : ""}`, fail));

  const byName = new Map<string, GraphNode>();
  const position = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (node.name === GRAPH_INPUT) fail(`node ${i} is named "${GRAPH_INPUT}", the name of the network's input`);
    if (byName.has(node.name)) fail(`two nodes are named ${shown(node.name)} (nodes ${position.get(node.name)} and ${i})`);
    byName.set(node.name, node);
    position.set(node.name, i);
  });

  const side = inputSize as number;
  const shapes = new Map<string, number[]>([[GRAPH_INPUT, [side, side, 1]]]);
  const used = new Set<string>();
  const parameters: GraphParameter[] = [];
  const tensorOwner = new Map<string, string>();
  let multiplyAdds = 0;
  nodes.forEach((node, i) => {
    const at = `node ${shown(node.name)} (${node.op})`;
    const inputShapes = node.inputs.map((input) => {
      if (input === node.name) fail(`${at} reads its own output`);
      if (input !== GRAPH_INPUT && !byName.has(input)) fail(`${at} reads ${shown(input)}, which is neither "${GRAPH_INPUT}" nor a node`);
      if (input !== GRAPH_INPUT && position.get(input)! > i) {
        const cycle = cycleThrough(node.name, byName);
        if (cycle) fail(`cycle: ${cycle.map((n) => shown(n)).join(" -> ")}`);
        fail(`${at} reads ${shown(input)}, which runs after it (nodes are listed in the order they run)`);
      }
      used.add(input);
      return shapes.get(input)!;
    });
    const [x] = inputShapes;
    const needMap = (): [number, number, number] => {
      if (x.length !== 3) fail(`${at} needs a [height, width, channels] map, its input ${shown(node.inputs[0])} is a vector of ${x[0]}`);
      return x as [number, number, number];
    };
    const parameter = (name: string, shape: number[]) => {
      if (tensorOwner.has(name)) fail(`${at} names tensor ${shown(name)}, which node ${shown(tensorOwner.get(name))} already uses (each tensor belongs to one node)`);
      tensorOwner.set(name, node.name);
      parameters.push({ name, shape, node: node.name });
    };
    let out: number[];
    switch (node.op) {
      case "rescale":
      case "relu":
        out = x;
        break;
      case "conv2d":
      case "depthwiseConv2d": {
        const [h, w, c] = needMap();
        const oh = sameOutputSize(h, node.stride);
        const ow = sameOutputSize(w, node.stride);
        const cout = node.op === "conv2d" ? node.filters : c;
        parameter(node.weights, node.op === "conv2d" ? [node.kernel, node.kernel, c, cout] : [node.kernel, node.kernel, c, 1]);
        if (node.bias !== undefined) parameter(node.bias, [cout]);
        multiplyAdds += oh * ow * node.kernel * node.kernel * c * (node.op === "conv2d" ? cout : 1);
        out = [oh, ow, cout];
        break;
      }
      case "maxPool": {
        const [h, w, c] = needMap();
        out = [sameOutputSize(h, node.stride), sameOutputSize(w, node.stride), c];
        break;
      }
      case "globalAvgPool":
        out = [needMap()[2]];
        break;
      case "flatten": {
        const [h, w, c] = needMap();
        out = [h * w * c];
        break;
      }
      case "dense": {
        if (x.length !== 1) fail(`${at} needs a vector, its input ${shown(node.inputs[0])} is a ${shapeText(x)} map (flatten or globalAvgPool it first)`);
        parameter(node.weights, [x[0], node.units]);
        if (node.bias !== undefined) parameter(node.bias, [node.units]);
        multiplyAdds += x[0] * node.units;
        out = [node.units];
        break;
      }
      case "add": {
        const [a, b] = inputShapes;
        if (a.join(",") !== b.join(",")) fail(`${at} adds ${shown(node.inputs[0])} ${shapeText(a)} and ${shown(node.inputs[1])} ${shapeText(b)}: shapes differ`);
        out = a;
        break;
      }
    }
    const elements = out.reduce((p, d) => p * d, 1);
    if (elements > MAX_ELEMENTS) fail(`${at} outputs ${shapeText(out)}, more than ${MAX_ELEMENTS} values`);
    shapes.set(node.name, out);
  });
  const last = nodes[nodes.length - 1];
  for (const node of nodes.slice(0, -1)) if (!used.has(node.name)) fail(`the output of node ${shown(node.name)} is never used (only the last node's output leaves the graph)`);
  const output = shapes.get(last.name)!;
  if (output.length !== 1 || output[0] < 2) fail(`the last node ${shown(last.name)} must output a vector of at least 2 logits, it outputs ${shapeText(output)}`);
  for (const { name, shape } of parameters) {
    if (shape.reduce((p, d) => p * d, 1) > MAX_ELEMENTS * 4) fail(`tensor ${shown(name)} of shape ${shapeText(shape)} is too large`);
  }
  return {
    graph: { name: raw.name as string, inputSize: side, nodes },
    shapes,
    parameters,
    numClasses: output[0],
    parameterCount: parameters.reduce((sum, { shape }) => sum + shape.reduce((p, d) => p * d, 1), 0),
    multiplyAdds,
  };
}

/** The error for a network without a graph: code written for `{ spec, tensors }` networks. */
export const MISSING_GRAPH = "the network has no graph: a network is { graph, tensors } (familyNetwork(spec, tensors) makes a family member's)";

/** Parameters of a graph (convolution and dense weights and biases). */
export function graphParameterCount(graph: LayerGraph): number {
  return analyzeGraph(graph).parameterCount;
}

/** Multiply-adds for one image in a graph's convolutions and dense layers. */
export function graphMultiplyAdds(graph: LayerGraph): number {
  return analyzeGraph(graph).multiplyAdds;
}
