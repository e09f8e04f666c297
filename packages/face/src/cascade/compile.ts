import { HAAR_FEATURE_STRIDE, LBP_FEATURE_STRIDE, type CascadeData, type CascadeSource, type FeatureType } from "./types.js";

/**
 * A cascade ready to run: flat typed arrays in node order, numbers rounded to float32 as
 * OpenCV loads them. Build one with compileCascade (or loadCascade for a shipped one) and
 * reuse it: the detector caches per-image-size tables on it.
 */
export interface Cascade {
  readonly name: string;
  /** The license and credits of the cascade (its XML header); keep it with any copy. */
  readonly license: string;
  readonly featureType: FeatureType;
  readonly windowWidth: number;
  readonly windowHeight: number;
  readonly stageCount: number;
  /** Trees of stage s are stageTreeStart[s] .. stageTreeStart[s + 1] - 1. */
  readonly stageTreeStart: Int32Array;
  /** Stage thresholds as OpenCV uses them: float32(threshold) - 1e-5f. */
  readonly stageThreshold: Float64Array;
  /** True when every tree is a single node (a stump), OpenCV's fast path. */
  readonly stumps: boolean;
  /** Nodes of tree t start at treeNodeStart[t]; its leaves at treeLeafStart[t]. */
  readonly treeNodeStart: Int32Array;
  readonly treeLeafStart: Int32Array;
  /** Per node: threshold (ordered features), children (<= 0: leaf -child), feature rectangles. */
  readonly nodeThreshold: Float64Array;
  readonly nodeLeft: Int32Array;
  readonly nodeRight: Int32Array;
  /** LBP: per node, subsetWords 32-bit words; bit c set means category c goes left. */
  readonly nodeSubset: Int32Array;
  readonly subsetWords: number;
  /**
   * Per node, the rectangles of its feature relative to the window: HAAR 3 x (x, y, width,
   * height) with a missing third rectangle as zeros; LBP (x, y, width, height) of one block.
   */
  readonly nodeRects: Int32Array;
  /** HAAR: per node the 3 rectangle weights (float32). */
  readonly nodeWeights: Float64Array;
  readonly leaves: Float64Array;
}

const f32 = Math.fround;
const THRESHOLD_EPS = f32(1e-5);

/** Rectangles per node in Cascade.nodeRects. */
export const HAAR_NODE_RECTS = 12;
export const LBP_NODE_RECTS = 4;

function checkHaarFeature(values: readonly number[], f: number, data: CascadeData, name: string): void {
  if (values[0] !== 0) throw new Error(`${name}: feature ${f} is tilted; tilted Haar features are not supported`);
  for (let r = 0; r < 3; r++) {
    const [x, y, w, h, weight] = values.slice(1 + 5 * r, 6 + 5 * r);
    if (weight === 0 && w === 0 && h === 0) continue;
    if (![x, y, w, h].every(Number.isInteger) || x < 0 || y < 0 || w <= 0 || h <= 0 ||
        x + w > data.windowWidth || y + h > data.windowHeight) {
      throw new Error(`${name}: rectangle ${r} of feature ${f} (${x} ${y} ${w} ${h}) is not inside the ${data.windowWidth}x${data.windowHeight} window`);
    }
  }
}

function checkLbpFeature(values: readonly number[], f: number, data: CascadeData, name: string): void {
  const [x, y, w, h] = values;
  if (![x, y, w, h].every(Number.isInteger) || x < 0 || y < 0 || w <= 0 || h <= 0 ||
      x + 3 * w > data.windowWidth || y + 3 * h > data.windowHeight) {
    throw new Error(`${name}: LBP feature ${f} (${x} ${y} ${w} ${h}) does not fit the ${data.windowWidth}x${data.windowHeight} window`);
  }
}

/**
 * Throws unless every tree is a tree: children in range, features that exist, and no node
 * reachable again from itself (a loop would make the detector's tree walk run forever).
 */
function checkTrees(data: CascadeData, nodeStep: number, featureCount: number, name: string): void {
  let first = 0, tree = 0;
  data.stageTreeCounts.forEach((trees, s) => {
    for (let t = 0; t < trees; t++, tree++) {
      const count = data.treeNodeCounts[tree];
      const where = `tree ${t} of stage ${s}`;
      if (!Number.isInteger(count) || count < 1) throw new Error(`${name}: ${where} has ${count} nodes`);
      // Depth-first from the root (an explicit stack: a long chain must not overflow the call
      // stack); state 1: on the current path, 2: done. A child on the path closes a loop.
      const state = new Uint8Array(count);
      const nextChild = new Uint8Array(count);
      const path = [0];
      state[0] = 1;
      while (path.length > 0) {
        const node = path[path.length - 1];
        const at = (first + node) * nodeStep;
        if (nextChild[node] === 0) {
          const feature = data.nodes[at + 2];
          if (!Number.isInteger(feature) || feature < 0 || feature >= featureCount) {
            throw new Error(`${name}: node ${node} of ${where} uses feature ${feature} of ${featureCount}`);
          }
        }
        if (nextChild[node] === 2) {
          state[node] = 2;
          path.pop();
          continue;
        }
        const next = data.nodes[at + nextChild[node]++];
        if (!Number.isInteger(next) || next >= count || -next > count) throw new Error(`${name}: node ${node} of ${where} points to node ${next}`);
        if (next <= 0) continue; // a leaf
        if (state[next] === 1) throw new Error(`${name}: node ${node} of ${where} points back to node ${next}: the tree has a loop`);
        if (state[next] === 0) {
          state[next] = 1;
          path.push(next);
        }
      }
      first += count;
    }
  });
}

/** Turns CascadeData (from parseCascadeXml or a shipped cascade) into a runnable Cascade. */
export function compileCascade(source: CascadeSource): Cascade {
  const { name, license, data } = source;
  const haar = data.featureType === "HAAR";
  const featureStride = haar ? HAAR_FEATURE_STRIDE : LBP_FEATURE_STRIDE;
  const featureCount = data.features.length / featureStride;
  // No stage would accept every window: each pixel position a "face".
  if (data.stageThresholds.length === 0) throw new Error(`${name}: the cascade has no stages`);
  if (data.stageTreeCounts.length !== data.stageThresholds.length) {
    throw new Error(`${name}: ${data.stageThresholds.length} stage thresholds for ${data.stageTreeCounts.length} stages`);
  }
  for (const [what, values] of [["stage threshold", data.stageThresholds], ["leaf value", data.leaves]] as const) {
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${name}: ${what} ${bad} is ${values[bad]}, not a finite number`);
  }
  for (let f = 0; f < featureCount; f++) {
    const values = data.features.slice(f * featureStride, (f + 1) * featureStride);
    if (haar) checkHaarFeature(values, f, data, name);
    else checkLbpFeature(values, f, data, name);
  }
  const stageCount = data.stageThresholds.length;
  const treeCount = data.treeNodeCounts.length;
  const subsetWords = data.maxCatCount > 0 ? Math.ceil(data.maxCatCount / 32) : 0;
  const nodeStep = 3 + (subsetWords > 0 ? subsetWords : 1);
  const nodeCount = data.nodes.length / nodeStep;
  const listedNodes = data.treeNodeCounts.reduce((sum, n) => sum + n, 0);
  if (nodeCount !== listedNodes) throw new Error(`${name}: the trees list ${listedNodes} nodes, there are ${nodeCount}`);
  if (data.leaves.length !== listedNodes + data.treeNodeCounts.length) {
    throw new Error(`${name}: the trees need ${listedNodes + data.treeNodeCounts.length} leaves, there are ${data.leaves.length}`);
  }

  const stageTreeStart = new Int32Array(stageCount + 1);
  const stageThreshold = new Float64Array(stageCount);
  for (let s = 0; s < stageCount; s++) {
    stageTreeStart[s + 1] = stageTreeStart[s] + data.stageTreeCounts[s];
    stageThreshold[s] = f32(f32(data.stageThresholds[s]) - THRESHOLD_EPS);
  }
  if (stageTreeStart[stageCount] !== treeCount) throw new Error(`${name}: stages list ${stageTreeStart[stageCount]} trees, there are ${treeCount}`);
  checkTrees(data, nodeStep, featureCount, name);

  const treeNodeStart = new Int32Array(treeCount + 1);
  const treeLeafStart = new Int32Array(treeCount + 1);
  for (let t = 0; t < treeCount; t++) {
    treeNodeStart[t + 1] = treeNodeStart[t] + data.treeNodeCounts[t];
    treeLeafStart[t + 1] = treeLeafStart[t] + data.treeNodeCounts[t] + 1;
  }
  const rectsPerNode = haar ? HAAR_NODE_RECTS : LBP_NODE_RECTS;
  const nodeThreshold = new Float64Array(nodeCount);
  const nodeLeft = new Int32Array(nodeCount);
  const nodeRight = new Int32Array(nodeCount);
  const nodeSubset = new Int32Array(nodeCount * subsetWords);
  const nodeRects = new Int32Array(nodeCount * rectsPerNode);
  const nodeWeights = new Float64Array(haar ? nodeCount * 3 : 0);
  for (let n = 0; n < nodeCount; n++) {
    const at = n * nodeStep;
    nodeLeft[n] = data.nodes[at];
    nodeRight[n] = data.nodes[at + 1];
    const feature = data.nodes[at + 2];
    if (subsetWords > 0) {
      for (let w = 0; w < subsetWords; w++) nodeSubset[n * subsetWords + w] = data.nodes[at + 3 + w] | 0;
    } else {
      nodeThreshold[n] = f32(data.nodes[at + 3]);
    }
    const fv = feature * featureStride;
    if (haar) {
      for (let r = 0; r < 3; r++) {
        for (let k = 0; k < 4; k++) nodeRects[n * 12 + r * 4 + k] = data.features[fv + 1 + r * 5 + k];
        nodeWeights[n * 3 + r] = f32(data.features[fv + 5 + r * 5]);
      }
    } else {
      for (let k = 0; k < 4; k++) nodeRects[n * 4 + k] = data.features[fv + k];
    }
  }
  return {
    name, license, featureType: data.featureType,
    windowWidth: data.windowWidth, windowHeight: data.windowHeight,
    stageCount, stageTreeStart, stageThreshold,
    stumps: data.treeNodeCounts.every((count) => count === 1),
    treeNodeStart, treeLeafStart, nodeThreshold, nodeLeft, nodeRight, nodeSubset, subsetWords,
    nodeRects, nodeWeights, leaves: Float64Array.from(data.leaves, f32),
  };
}
