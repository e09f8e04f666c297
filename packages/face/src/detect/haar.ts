import type { Cascade } from "../cascade/compile.js";
import type { OffsetTable } from "./offsets.js";

const f32 = Math.fround;

/**
 * Runs a Haar cascade on the windows of one pyramid level (origins x < columns, y from
 * firstRow to rows) as OpenCV's CascadeClassifierInvoker + HaarEvaluator do, with the same
 * float32 arithmetic so the same windows pass. Pushes x, y (level pixels) of accepted
 * windows. (The JavaScript path; the WebAssembly kernel in assembly/haar.ts does the same
 * four windows at a time.)
 *
 * A window's result is 1 (accepted), -s (rejected at stage s) or -1 when its variance is
 * too small to normalise; after a rejection at stage 0 OpenCV skips the next position.
 * Windows before column `keepFrom` only take part in the walk (stage 0), see assembly/walk.ts.
 */
export function scanHaarLevel(
  cascade: Cascade, table: OffsetTable, sums: Int32Array, squares: Int32Array,
  columns: number, rows: number, step: number, hits: number[], firstRow = 0, keepFrom = 0,
): void {
  const { stageCount, stageTreeStart, stageThreshold, nodeThreshold, nodeWeights, leaves, stumps } = cascade;
  const { treeNodeStart, treeLeafStart, nodeLeft, nodeRight } = cascade;
  const { stride, corners } = table;
  const [n0, n1, n2, n3] = table.normCorners;
  const area = (cascade.windowWidth - 2) * (cascade.windowHeight - 2);

  /** The feature of node n at window offset p, as OpenCV's OptFeature::calc (float32). */
  const feature = (n: number, p: number): number => {
    const c = n * 12, w = n * 3;
    let value = f32(
      f32(nodeWeights[w] * ((sums[p + corners[c]] - sums[p + corners[c + 1]] - sums[p + corners[c + 2]] + sums[p + corners[c + 3]]) | 0)) +
      f32(nodeWeights[w + 1] * ((sums[p + corners[c + 4]] - sums[p + corners[c + 5]] - sums[p + corners[c + 6]] + sums[p + corners[c + 7]]) | 0)),
    );
    const w2 = nodeWeights[w + 2];
    if (w2 !== 0) {
      value = f32(value + f32(w2 * ((sums[p + corners[c + 8]] - sums[p + corners[c + 9]] - sums[p + corners[c + 10]] + sums[p + corners[c + 11]]) | 0)));
    }
    return value;
  };

  const classify = (p: number, norm: number, stages: number): number => {
    let tree = 0;
    for (let s = 0; s < stages; s++) {
      const end = stageTreeStart[s + 1];
      let total = 0;
      if (stumps) {
        for (; tree < end; tree++) {
          const c = tree * 12, w = tree * 3;
          // OpenCV's float32 arithmetic: each weighted rectangle sum, their sum, times the norm.
          let value = f32(
            f32(nodeWeights[w] * ((sums[p + corners[c]] - sums[p + corners[c + 1]] - sums[p + corners[c + 2]] + sums[p + corners[c + 3]]) | 0)) +
            f32(nodeWeights[w + 1] * ((sums[p + corners[c + 4]] - sums[p + corners[c + 5]] - sums[p + corners[c + 6]] + sums[p + corners[c + 7]]) | 0)));
          const w2 = nodeWeights[w + 2];
          if (w2 !== 0) {
            value = f32(value + f32(w2 * ((sums[p + corners[c + 8]] - sums[p + corners[c + 9]] - sums[p + corners[c + 10]] + sums[p + corners[c + 11]]) | 0)));
          }
          total += f32(value * norm) < nodeThreshold[tree] ? leaves[2 * tree] : leaves[2 * tree + 1];
        }
      } else {
        for (; tree < end; tree++) {
          const root = treeNodeStart[tree];
          let next = 0;
          do {
            const n = root + next;
            next = f32(feature(n, p) * norm) < nodeThreshold[n] ? nodeLeft[n] : nodeRight[n];
          } while (next > 0);
          total += leaves[treeLeafStart[tree] - next];
        }
      }
      if (total < stageThreshold[s]) return -s;
    }
    return 1;
  };

  for (let y = firstRow; y < rows; y += step) {
    const row = y * stride;
    for (let x = 0; x < columns; x += step) {
      const p = row + x;
      const sum = (sums[p + n0] - sums[p + n1] - sums[p + n2] + sums[p + n3]) | 0;
      const sumSquares = ((squares[p + n0] - squares[p + n1] - squares[p + n2] + squares[p + n3]) | 0) >>> 0;
      const spread = area * sumSquares - sum * sum;
      if (!(spread > 0)) continue;
      // OpenCV rejects (without skipping) windows whose standard deviation is 10 or less.
      const norm = f32(1 / Math.sqrt(spread));
      if (!(area * norm < 0.1)) continue;
      const kept = x >= keepFrom;
      const result = classify(p, norm, kept ? stageCount : 1);
      if (result > 0 && kept) hits.push(x, y);
      else if (result === 0) x += step;
    }
  }
}
