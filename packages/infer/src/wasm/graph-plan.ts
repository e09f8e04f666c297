/**
 * Any layer graph in WebAssembly SIMD: the host walks the graph once, lays out the kernel's
 * memory (the parameters, convolution and dense weights packed in GEMM panels, then one
 * buffer per node's output, then the im2col scratch) and
 * picks a kernel per node (assembly/graph-ops.ts): a 1x1 stride-1 convolution and a dense
 * layer are one blocked GEMM, any other convolution im2col + GEMM, depthwise convolutions,
 * max-pooling, global average pooling, add and ReLU their own loops; flatten is free (NHWC is
 * already row-major). Images run one at a time through the steps.
 */
import type { NetworkWeights } from "../architecture.js";
import type { GraphAnalysis } from "../graph/analyze.js";
import { analyzeGraph } from "../graph/analyze.js";
import { GRAPH_INPUT } from "../graph/layer-graph.js";
import { samePadBefore } from "../graph/ops.js";

/** The graph kernels' exports (assembly/graph-ops.ts). Pointers in bytes; flags 0 or 1. */
export interface GraphKernelExports {
  memory: WebAssembly.Memory;
  graphHeapStart(): number;
  gemm(a: number, m: number, k: number, b: number, n: number, bias: number, out: number, relu: number, tail: number): void;
  im2col(src: number, h: number, w: number, c: number, kernel: number, stride: number, padY: number, padX: number, outH: number, outW: number, dst: number): void;
  depthwise(src: number, h: number, w: number, c: number, kernel: number, stride: number, padY: number, padX: number, outH: number, outW: number, weights: number, bias: number, dst: number, relu: number): void;
  maxPool(src: number, h: number, w: number, c: number, size: number, stride: number, padY: number, padX: number, outH: number, outW: number, dst: number): void;
  globalAvgPool(src: number, pixels: number, c: number, dst: number): void;
  addMaps(a: number, b: number, count: number, dst: number, relu: number): void;
  reluMap(src: number, count: number, dst: number): void;
  rescaleMap(src: number, count: number, scale: number, offset: number, dst: number): void;
}

export interface GraphPlan {
  /** Runs one image (inputSize^2 floats, raw 0..255) and returns its logits (a view: copy before the next run). */
  run(image: Float32Array): Float32Array;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Columns per GEMM panel (assembly/graph-ops.ts gemm). */
const PANEL = 8;

/** [k][n] row-major to panels of 8 columns, each [k][8], zero past column n. */
export function packPanels(values: Float32Array, k: number, n: number): Float32Array {
  const panels = Math.ceil(n / PANEL);
  const out = new Float32Array(panels * k * PANEL);
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) out[((j >> 3) * k + p) * PANEL + (j & 7)] = values[p * n + j];
  }
  return out;
}

function padTo(values: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(values);
  return out;
}

/** The network's tensors, checked against its graph (missing or mis-sized ones named). */
export function checkGraphTensors(network: NetworkWeights, analysis: GraphAnalysis): string | undefined {
  for (const { name, shape } of analysis.parameters) {
    const values = network.tensors[name];
    if (!(values instanceof Float32Array) || values.length !== size(shape)) {
      return `tensor ${name} has ${values instanceof Float32Array ? values.length : "no"} values, expected ${size(shape)} (${shape.join("x")})`;
    }
  }
  return undefined;
}

/** Lays out the kernel's memory for the network and returns its runner; null when memory cannot grow. */
export function planGraph(network: NetworkWeights, kernel: GraphKernelExports): GraphPlan | null {
  const analysis = analyzeGraph(network.graph);
  const { graph, shapes } = analysis;
  let cursor = kernel.graphHeapStart();
  const reserve = (floats: number): number => {
    const at = cursor;
    cursor = Math.ceil((cursor + floats * 4) / 16) * 16; // not a bit mask: offsets may pass 2^31
    return at;
  };
  // Convolution and dense weights in GEMM panels, their biases padded to the panels' width.
  const tensorAt = new Map<string, number>();
  const writes: Array<[number, Float32Array]> = [];
  const place = (name: string, values: Float32Array) => {
    const at = reserve(values.length);
    tensorAt.set(name, at);
    writes.push([at, values]);
  };
  for (const node of graph.nodes) {
    if (node.op !== "conv2d" && node.op !== "depthwiseConv2d" && node.op !== "dense") continue;
    const weights = network.tensors[node.weights];
    const bias = node.bias === undefined ? undefined : network.tensors[node.bias];
    if (node.op === "depthwiseConv2d") {
      place(node.weights, weights);
      if (node.bias !== undefined) place(node.bias, bias!);
      continue;
    }
    const n = node.op === "dense" ? node.units : node.filters;
    place(node.weights, packPanels(weights, weights.length / n, n));
    if (node.bias !== undefined) place(node.bias, padTo(bias!, Math.ceil(n / PANEL) * PANEL));
  }
  const tail = reserve(PANEL);
  const bufferOf = new Map<string, number>([[GRAPH_INPUT, reserve(graph.inputSize * graph.inputSize)]]);
  let scratchFloats = 0;
  for (const node of graph.nodes) {
    if (node.op === "flatten") {
      bufferOf.set(node.name, bufferOf.get(node.inputs[0])!);
      continue;
    }
    bufferOf.set(node.name, reserve(size(shapes.get(node.name)!)));
    if (node.op === "conv2d" && !(node.kernel === 1 && node.stride === 1)) {
      const [outH, outW] = shapes.get(node.name)!;
      scratchFloats = Math.max(scratchFloats, outH * outW * node.kernel * node.kernel * shapes.get(node.inputs[0])![2]);
    }
  }
  const scratch = reserve(scratchFloats);
  const pagesNeeded = Math.ceil(cursor / 65536);
  const pages = kernel.memory.buffer.byteLength / 65536;
  if (pagesNeeded > pages) {
    try {
      kernel.memory.grow(pagesNeeded - pages);
    } catch {
      return null;
    }
  }
  const heap = new Float32Array(kernel.memory.buffer);
  for (const [at, values] of writes) heap.set(values, at / 4);

  const bias = (name: string | undefined) => (name === undefined ? 0 : tensorAt.get(name)!);
  const steps: Array<() => void> = [];
  for (const node of graph.nodes) {
    const src = bufferOf.get(node.inputs[0])!;
    const dst = bufferOf.get(node.name)!;
    const inShape = shapes.get(node.inputs[0])!;
    const outShape = shapes.get(node.name)!;
    const count = size(outShape);
    const relu = "relu" in node && node.relu ? 1 : 0;
    switch (node.op) {
      case "rescale":
        steps.push(() => kernel.rescaleMap(src, count, node.scale, node.offset, dst));
        break;
      case "relu":
        steps.push(() => kernel.reluMap(src, count, dst));
        break;
      case "flatten":
        break;
      case "conv2d": {
        const [h, w, c] = inShape;
        const [outH, outW] = outShape;
        const weights = tensorAt.get(node.weights)!;
        if (node.kernel === 1 && node.stride === 1) {
          steps.push(() => kernel.gemm(src, h * w, c, weights, node.filters, bias(node.bias), dst, relu, tail));
        } else {
          const padY = samePadBefore(h, node.kernel, node.stride);
          const padX = samePadBefore(w, node.kernel, node.stride);
          steps.push(() => {
            kernel.im2col(src, h, w, c, node.kernel, node.stride, padY, padX, outH, outW, scratch);
            kernel.gemm(scratch, outH * outW, node.kernel * node.kernel * c, weights, node.filters, bias(node.bias), dst, relu, tail);
          });
        }
        break;
      }
      case "depthwiseConv2d": {
        const [h, w, c] = inShape;
        const [outH, outW] = outShape;
        const padY = samePadBefore(h, node.kernel, node.stride);
        const padX = samePadBefore(w, node.kernel, node.stride);
        const weights = tensorAt.get(node.weights)!;
        steps.push(() => kernel.depthwise(src, h, w, c, node.kernel, node.stride, padY, padX, outH, outW, weights, bias(node.bias), dst, relu));
        break;
      }
      case "maxPool": {
        const [h, w, c] = inShape;
        const [outH, outW] = outShape;
        const padY = samePadBefore(h, node.size, node.stride);
        const padX = samePadBefore(w, node.size, node.stride);
        steps.push(() => kernel.maxPool(src, h, w, c, node.size, node.stride, padY, padX, outH, outW, dst));
        break;
      }
      case "globalAvgPool":
        steps.push(() => kernel.globalAvgPool(src, inShape[0] * inShape[1], inShape[2], dst));
        break;
      case "dense": {
        const weights = tensorAt.get(node.weights)!;
        steps.push(() => kernel.gemm(src, 1, inShape[0], weights, node.units, bias(node.bias), dst, relu, tail));
        break;
      }
      case "add": {
        const other = bufferOf.get(node.inputs[1])!;
        steps.push(() => kernel.addMaps(src, other, count, dst, relu));
        break;
      }
    }
  }
  const inputAt = bufferOf.get(GRAPH_INPUT)! / 4;
  const logitsAt = bufferOf.get(graph.nodes[graph.nodes.length - 1].name)! / 4;
  return {
    run(image) {
      heap.set(image, inputAt);
      for (const step of steps) step();
      return heap.subarray(logitsAt, logitsAt + analysis.numClasses);
    },
  };
}
