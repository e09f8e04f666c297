/**
 * A network as a layer graph: one grayscale input of side `inputSize`, then nodes in the order
 * they run, each naming its inputs (earlier nodes, or "input") and its parameter tensors. Maps
 * are NHWC (one image: height x width x channels, row-major); every window (convolution,
 * pooling) has TensorFlow's "SAME" padding. The last node's output, a vector, is the logits.
 *
 * The graph is plain JSON, so that a weights file can carry it; `analyzeGraph` checks one and
 * gives every node's output shape and every parameter's shape.
 */

/** The name a node uses for the network's input. */
export const GRAPH_INPUT = "input";

interface NodeBase {
  /** Unique among the nodes; not "input". */
  name: string;
  /** The nodes (or "input") whose outputs this node reads. */
  inputs: string[];
}

/** input * scale + offset, elementwise (e.g. raw 0..255 pixels to 0..1). */
export interface RescaleNode extends NodeBase {
  op: "rescale";
  scale: number;
  offset: number;
}

/** Convolution, weights [kernel, kernel, inChannels, filters] (HWIO), bias [filters]. */
export interface Conv2dNode extends NodeBase {
  op: "conv2d";
  kernel: number;
  stride: number;
  filters: number;
  weights: string;
  /** Absent: no bias. */
  bias?: string;
  /** ReLU applied to the output (fused). */
  relu?: boolean;
}

/** Depthwise convolution, multiplier 1: weights [kernel, kernel, channels, 1], bias [channels]. */
export interface DepthwiseConv2dNode extends NodeBase {
  op: "depthwiseConv2d";
  kernel: number;
  stride: number;
  weights: string;
  bias?: string;
  relu?: boolean;
}

/** Max-pooling over size x size windows (padded cells never win). */
export interface MaxPoolNode extends NodeBase {
  op: "maxPool";
  size: number;
  stride: number;
}

/** The mean of each channel over the map: [h, w, c] -> [c]. */
export interface GlobalAvgPoolNode extends NodeBase {
  op: "globalAvgPool";
}

/** [h, w, c] -> [h * w * c], NHWC row-major (TensorFlow's Flatten). */
export interface FlattenNode extends NodeBase {
  op: "flatten";
}

/** y = x W + b on a vector; weights [in, units], bias [units]. */
export interface DenseNode extends NodeBase {
  op: "dense";
  units: number;
  weights: string;
  bias?: string;
  relu?: boolean;
}

export interface ReluNode extends NodeBase {
  op: "relu";
}

/** The elementwise sum of two inputs of the same shape (a residual connection). */
export interface AddNode extends NodeBase {
  op: "add";
  relu?: boolean;
}

export type GraphNode =
  | RescaleNode | Conv2dNode | DepthwiseConv2dNode | MaxPoolNode | GlobalAvgPoolNode
  | FlattenNode | DenseNode | ReluNode | AddNode;

export type GraphOp = GraphNode["op"];

export interface LayerGraph {
  /** The architecture's name, e.g. "p12-XXS" for a member of the paper's family. */
  name: string;
  /** Side of the square, one-channel input. */
  inputSize: number;
  /** In the order they run; the last one's output is the logits. */
  nodes: GraphNode[];
}
