/**
 * The paper's candidate family as layer graphs, with the authors' tensor names (wc1, bc1, ...),
 * so that every weights file written for a family member still loads, in the same order.
 */
import type { ArchitectureSpec, NetworkWeights, TensorName } from "../architecture.js";
import { describeArchitecture, isArchitectureId } from "../architecture.js";
import { GraphError } from "./analyze.js";
import type { GraphNode, LayerGraph } from "./layer-graph.js";
import { GRAPH_INPUT } from "./layer-graph.js";

/** A family member's graph: conv1 (+ pool1), conv2 (+ pool2), flatten, fc1 (ReLU), logits. */
export function familyGraph(spec: ArchitectureSpec): LayerGraph {
  const nodes: GraphNode[] = [];
  let last = GRAPH_INPUT;
  const add = (node: GraphNode) => {
    nodes.push(node);
    last = node.name;
  };
  const { conv1, conv2 } = spec;
  add({ op: "conv2d", name: "conv1", inputs: [last], kernel: conv1.kernel, stride: conv1.stride, filters: conv1.filters, weights: "wc1", bias: "bc1", relu: true });
  if (spec.pool1) add({ op: "maxPool", name: "pool1", inputs: [last], size: 2, stride: 2 });
  add({ op: "conv2d", name: "conv2", inputs: [last], kernel: conv2.kernel, stride: conv2.stride, filters: conv2.filters, weights: "wc2", bias: "bc2", relu: true });
  if (spec.pool2) add({ op: "maxPool", name: "pool2", inputs: [last], size: 2, stride: 2 });
  add({ op: "flatten", name: "flatten", inputs: [last] });
  // Dropout after fc1 is the identity at inference.
  add({ op: "dense", name: "fc1", inputs: [last], units: spec.fc1, weights: "wfc", bias: "bfc", relu: true });
  add({ op: "dense", name: "logits", inputs: [last], units: spec.numClasses, weights: "wo", bias: "bo" });
  return { name: spec.id, inputSize: spec.inputSize, nodes };
}

/** The graph of a family member by id or alias ("p2-S", "microexpnet"). */
export function architectureGraph(name: string, numClasses = 8): LayerGraph {
  return familyGraph(describeArchitecture(name, numClasses));
}

/** Equal as JSON values, whatever the key order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The family member a graph is, or undefined when its name is not a family id. Throws when the
 * name is a family id but the graph is another network: the name would mislabel it.
 */
export function familySpecOf(graph: LayerGraph, numClasses: number): ArchitectureSpec | undefined {
  if (!isArchitectureId(graph.name)) return undefined;
  const spec = describeArchitecture(graph.name, numClasses);
  if (!sameJson(graph, familyGraph(spec))) {
    throw new GraphError(`graph "${graph.name}" is not the ${graph.name} family member's graph (give another network another name)`);
  }
  return spec;
}

/** A family member's network from its spec and its tensors (wc1, bc1, ... in TF layout). */
export function familyNetwork(spec: ArchitectureSpec, tensors: Record<TensorName, Float32Array>): NetworkWeights {
  return { graph: familyGraph(spec), tensors, spec };
}
