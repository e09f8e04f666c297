import type { ArchitectureSpec, NetworkWeights, TensorName } from "../architecture.js";
import { TENSOR_NAMES, tensorShapes } from "../architecture.js";
import type { ForwardEngine } from "../engine.js";
import { analyzeGraph } from "../graph/analyze.js";
import { familySpecOf } from "../graph/family.js";
import { compileKernel } from "./kernel-module.js";
import type { GraphKernelExports } from "./graph-plan.js";
import { checkGraphTensors, planGraph } from "./graph-plan.js";
import {
  WINOGRAD_G_2x2, WINOGRAD_G_4x4, packConvWeights, packWinogradStride2, padColumns, paddedWidth, transposePadded,
} from "./pack-weights.js";
import { wasmSimdSupported, webAssemblyApi } from "./simd-support.js";

export { wasmSimdSupported } from "./simd-support.js";

/**
 * Images per kernel call; larger batches run in chunks this size, so that a chunk's inputs
 * and features stay in cache (64 at once was slower per image than one) and memory stays bounded.
 */
export const WASM_MAX_CHUNK = 8;

/** The kernel's exports (assembly/index.ts). Offsets are in bytes. */
interface KernelExports {
  memory: WebAssembly.Memory;
  configure(
    inputSize: number, kernel1: number, stride1: number, filters1: number, pool1: number,
    kernel2: number, stride2: number, filters2: number, pool2: number,
    fc1: number, numClasses: number, maxBatch: number,
  ): number;
  conv1Winograd(): number;
  tensorOffset(index: number): number;
  tensorBytes(index: number): number;
  inputOffset(): number;
  logitsOffset(): number;
  forward(count: number): void;
}

/**
 * How the kernels run this network, read from its graph (the one source of truth): a member of
 * the paper's family whose shapes the Winograd kernels take runs on them (assembly/index.ts),
 * any other graph on the graph plan (graph-plan.ts); a graph that does not check is a problem.
 */
function kernelChoice(network: NetworkWeights): { spec: ArchitectureSpec } | { plan: true } | { problem: string } {
  let spec: ArchitectureSpec | undefined;
  try {
    const { graph, numClasses } = analyzeGraph(network.graph);
    spec = familySpecOf(graph, numClasses);
  } catch (error) {
    return { problem: (error as Error).message };
  }
  if (!spec) return { plan: true };
  const { conv1, conv2 } = spec;
  // The Winograd machine's limits; a family member outside them runs on the graph plan.
  const winograd = conv1.filters % 16 === 0 && conv2.filters % 16 === 0 && conv1.kernel % 4 === 0 && conv2.kernel === 4 && conv2.stride === 2;
  return winograd ? { spec } : { plan: true };
}

/** Why the WebAssembly engine cannot run this network's graph, or undefined when it can. */
export function wasmGraphProblem(network: NetworkWeights): string | undefined {
  const found = kernelChoice(network);
  return "problem" in found ? found.problem : undefined;
}

/** The family member to run on the Winograd kernels (undefined: the graph plan runs it); throws a clear error when the kernels cannot run this network (its graph or tensor sizes). */
function checkNetwork(network: NetworkWeights): ArchitectureSpec | undefined {
  const found = kernelChoice(network);
  if ("problem" in found) throw new Error(`createWasmEngine: cannot run network ${network.graph?.name}: ${found.problem}`);
  if ("plan" in found) {
    const problem = checkGraphTensors(network, analyzeGraph(network.graph));
    if (problem) throw new Error(`createWasmEngine: cannot run network ${network.graph.name}: ${problem}`);
    return undefined;
  }
  const { spec } = found;
  const { tensors } = network;
  const problems: string[] = [];
  if (network.spec && network.spec.id !== spec.id) problems.push(`its spec says ${network.spec.id}, its graph is ${spec.id}`);
  const shapes = tensorShapes(spec);
  for (const name of TENSOR_NAMES) {
    const expected = shapes[name].reduce((a, b) => a * b, 1);
    const actual = tensors[name]?.length;
    if (actual !== expected) problems.push(`tensor ${name} has ${actual ?? "no"} values, expected ${expected} (${shapes[name].join("x")})`);
  }
  if (problems.length > 0) throw new Error(`createWasmEngine: cannot run network ${spec.id}: ${problems.join("; ")}`);
  return spec;
}

/** The network's tensors in the kernel's layout, in TENSOR_NAMES order. */
function packNetwork(spec: ArchitectureSpec, network: NetworkWeights, kernel: KernelExports): Record<TensorName, Float32Array> {
  const { tensors: t } = network;
  const { conv1, conv2 } = spec;
  const width = paddedWidth(spec.fc1);
  return {
    wc1: kernel.conv1Winograd()
      ? packWinogradStride2(t.wc1, conv1.kernel, 1, conv1.filters, WINOGRAD_G_4x4)
      : packConvWeights(t.wc1, conv1.kernel, 1, conv1.filters),
    bc1: t.bc1,
    wc2: packWinogradStride2(t.wc2, conv2.kernel, conv1.filters, conv2.filters, WINOGRAD_G_2x2),
    bc2: t.bc2,
    wfc: padColumns(t.wfc, spec.flatSize, spec.fc1, width),
    bfc: padColumns(t.bfc, 1, spec.fc1, width),
    wo: transposePadded(t.wo, spec.fc1, spec.numClasses, width),
    bo: t.bo,
  };
}

/**
 * The forward pass in WebAssembly SIMD. Resolves null where WebAssembly or its 128-bit SIMD is
 * unavailable (or memory cannot be had), so the caller can fall back to the JS engine; rejects
 * only when the network itself cannot be run (tensor sizes that do not match its spec, or a
 * shape outside the MicroExpNet family's). The weights are copied into the engine once, here:
 * later changes to network.tensors do not reach it.
 */
export async function createWasmEngine(network: NetworkWeights): Promise<ForwardEngine | null> {
  const spec = checkNetwork(network);
  if (!wasmSimdSupported()) return null;
  let kernel: KernelExports;
  try {
    const instance = await webAssemblyApi()!.instantiate(await compileKernel(), {});
    kernel = instance.exports as unknown as KernelExports;
  } catch {
    return null;
  }
  if (!spec) return graphPlanEngine(network, kernel as unknown as GraphKernelExports);

  const { conv1, conv2 } = spec;
  const used = kernel.configure(
    spec.inputSize, conv1.kernel, conv1.stride, conv1.filters, spec.pool1 ? 1 : 0,
    conv2.kernel, conv2.stride, conv2.filters, spec.pool2 ? 1 : 0,
    spec.fc1, spec.numClasses, WASM_MAX_CHUNK,
  );
  if (used === 0) return null; // memory could not grow

  const heap = new Float32Array(kernel.memory.buffer);
  const packed = packNetwork(spec, network, kernel);
  TENSOR_NAMES.forEach((name, index) => {
    const bytes = kernel.tensorBytes(index);
    if (bytes !== packed[name].length * 4) {
      throw new Error(`createWasmEngine: kernel expects ${bytes / 4} values for ${name} of ${spec.id}, packed ${packed[name].length}`);
    }
    heap.set(packed[name], kernel.tensorOffset(index) / 4);
  });

  const pixels = spec.inputSize * spec.inputSize;
  const classes = spec.numClasses;
  const inputAt = kernel.inputOffset() / 4;
  const logitsAt = kernel.logitsOffset() / 4;
  return {
    kind: "wasm",
    network,
    forward(input, batch) {
      if (!Number.isInteger(batch) || batch < 0) throw new Error(`forward: batch must be a non-negative integer, got ${batch}`);
      if (input.length !== batch * pixels) {
        throw new Error(`forward: expected ${batch} x ${pixels} input values, got ${input.length}`);
      }
      const logits = new Float32Array(batch * classes);
      for (let start = 0; start < batch; start += WASM_MAX_CHUNK) {
        const count = Math.min(WASM_MAX_CHUNK, batch - start);
        heap.set(input.subarray(start * pixels, (start + count) * pixels), inputAt);
        kernel.forward(count);
        logits.set(heap.subarray(logitsAt, logitsAt + count * classes), start * classes);
      }
      return logits;
    },
  };
}

/** Any graph on the graph plan, one image at a time. */
function graphPlanEngine(network: NetworkWeights, kernel: GraphKernelExports): ForwardEngine | null {
  const plan = planGraph(network, kernel);
  if (!plan) return null; // memory could not grow
  const pixels = network.graph.inputSize ** 2;
  const classes = analyzeGraph(network.graph).numClasses;
  return {
    kind: "wasm",
    network,
    forward(input, batch) {
      if (!Number.isInteger(batch) || batch < 0) throw new Error(`forward: batch must be a non-negative integer, got ${batch}`);
      if (input.length !== batch * pixels) throw new Error(`forward: expected ${batch} x ${pixels} input values, got ${input.length}`);
      const logits = new Float32Array(batch * classes);
      for (let b = 0; b < batch; b++) logits.set(plan.run(input.subarray(b * pixels, (b + 1) * pixels)), b * classes);
      return logits;
    },
  };
}
