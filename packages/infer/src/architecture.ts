/**
 * The MicroExpNet candidate family (PAPER.md, "Architectures"): two convolutions and two
 * dense layers, with max-pooling after conv1 and/or conv2 depending on the variant, and a
 * fc1 width set by the size (squeeze coefficient).
 */

import { sameOutputSize } from "./graph/analyze.js";
import type { LayerGraph } from "./graph/layer-graph.js";
import { INPUT_SIZE } from "./image/paper-crop.js";

export const VARIANTS = ["v", "p1", "p2", "p12"] as const;
export const SIZES = ["M", "S", "XS", "XXS"] as const;
export type Variant = (typeof VARIANTS)[number];
export type Size = (typeof SIZES)[number];
/** A member of the family, e.g. "p12-XXS" (the final v4 MicroExpNet) or "v-XXS" (the v2 original). */
export type ArchitectureId = `${Variant}-${Size}`;

/** Named members: the paper's final (v3/v4) and original (v1/v2) MicroExpNet. */
export const ARCHITECTURE_ALIASES = {
  microexpnet: "p12-XXS",
  "microexpnet-v2": "v-XXS",
} as const satisfies Record<string, ArchitectureId>;

export interface ConvSpec {
  kernel: number;
  filters: number;
  stride: number;
}

export interface ArchitectureSpec {
  id: ArchitectureId;
  variant: Variant;
  size: Size;
  /** Square input side; one grayscale channel. */
  inputSize: number;
  conv1: ConvSpec;
  pool1: boolean;
  conv2: ConvSpec;
  pool2: boolean;
  /** Side of the feature map that is flattened before fc1. */
  featureSize: number;
  /** featureSize * featureSize * conv2.filters (NHWC row-major flatten). */
  flatSize: number;
  fc1: number;
  numClasses: number;
}

/** Parameter tensors, named as in the authors' checkpoints; shapes in TF layout (HWIO). */
export const TENSOR_NAMES = ["wc1", "bc1", "wc2", "bc2", "wfc", "bfc", "wo", "bo"] as const;
export type TensorName = (typeof TENSOR_NAMES)[number];

const SQUEEZE: Record<Size, number> = { M: 1, S: 4, XS: 8, XXS: 16 };

export function isArchitectureId(id: string): id is ArchitectureId {
  const [variant, size, extra] = id.split("-");
  return extra === undefined && (VARIANTS as readonly string[]).includes(variant) && (SIZES as readonly string[]).includes(size);
}

/** Accepts an id ("p2-S") or an alias ("microexpnet"). */
export function resolveArchitectureId(name: string): ArchitectureId {
  const alias = (ARCHITECTURE_ALIASES as Record<string, ArchitectureId>)[name];
  if (alias) return alias;
  if (isArchitectureId(name)) return name;
  const known = [...Object.keys(ARCHITECTURE_ALIASES), ...allArchitectureIds()].join(", ");
  throw new Error(`Unknown architecture "${name}". Known: ${known}`);
}

export function allArchitectureIds(): ArchitectureId[] {
  return VARIANTS.flatMap((v) => SIZES.map((s) => `${v}-${s}` as ArchitectureId));
}

export function describeArchitecture(name: string, numClasses = 8): ArchitectureSpec {
  const id = resolveArchitectureId(name);
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`numClasses must be an integer >= 2, got ${numClasses}`);
  const [variant, size] = id.split("-") as [Variant, Size];
  const pool1 = variant === "p1" || variant === "p12";
  const pool2 = variant === "p2" || variant === "p12";
  // Pooling after conv1 replaces half of conv1's stride: the map after stage 1 is 21x21 either way.
  const conv1: ConvSpec = { kernel: 8, filters: 16, stride: pool1 ? 2 : 4 };
  const conv2: ConvSpec = { kernel: 4, filters: 32, stride: 2 };
  let side = sameOutputSize(INPUT_SIZE, conv1.stride);
  if (pool1) side = sameOutputSize(side, 2);
  side = sameOutputSize(side, conv2.stride);
  if (pool2) side = sameOutputSize(side, 2);
  const fc1 = ((pool2 ? 3 : 1) * 256) / SQUEEZE[size];
  return {
    id, variant, size, inputSize: INPUT_SIZE, conv1, pool1, conv2, pool2,
    featureSize: side, flatSize: side * side * conv2.filters, fc1, numClasses,
  };
}

export function tensorShapes(spec: ArchitectureSpec): Record<TensorName, number[]> {
  const { conv1, conv2 } = spec;
  return {
    wc1: [conv1.kernel, conv1.kernel, 1, conv1.filters],
    bc1: [conv1.filters],
    wc2: [conv2.kernel, conv2.kernel, conv1.filters, conv2.filters],
    bc2: [conv2.filters],
    wfc: [spec.flatSize, spec.fc1],
    bfc: [spec.fc1],
    wo: [spec.fc1, spec.numClasses],
    bo: [spec.numClasses],
  };
}

export function parameterCount(spec: ArchitectureSpec): number {
  return Object.values(tensorShapes(spec)).reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

/** Multiply-adds for one image (convolutions and dense layers). */
export function multiplyAdds(spec: ArchitectureSpec): number {
  const s1 = sameOutputSize(spec.inputSize, spec.conv1.stride);
  const in2 = spec.pool1 ? sameOutputSize(s1, 2) : s1;
  const s2 = sameOutputSize(in2, spec.conv2.stride);
  return (
    s1 * s1 * spec.conv1.kernel ** 2 * spec.conv1.filters +
    s2 * s2 * spec.conv2.kernel ** 2 * spec.conv1.filters * spec.conv2.filters +
    spec.flatSize * spec.fc1 + spec.fc1 * spec.numClasses
  );
}

/**
 * A network ready to run: its layer graph and its float32 parameters in TF layout, by the
 * graph's tensor names. `spec` is set for members of the paper's family (familyNetwork).
 */
export interface NetworkWeights {
  graph: LayerGraph;
  tensors: Record<string, Float32Array>;
  /** The family member the graph is (undefined for any other graph). */
  spec?: ArchitectureSpec;
}
