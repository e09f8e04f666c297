import type { Cascade } from "../cascade/compile.js";
import type { OffsetTable } from "./offsets.js";

/**
 * Runs an LBP cascade on every window of one pyramid level, as OpenCV's LBPEvaluator and
 * predictCategorical(Stump) do. Pushes x, y (level pixels) of accepted windows from column
 * keepFrom on (as scanHaarLevel). (The JavaScript path; the WebAssembly kernel in
 * assembly/lbp.ts does the same eight at a time.)
 */
export function scanLbpLevel(
  cascade: Cascade, table: OffsetTable, sums: Int32Array,
  columns: number, rows: number, step: number, hits: number[], firstRow = 0, keepFrom = 0,
): void {
  const { stageCount, stageTreeStart, stageThreshold, leaves, stumps, nodeSubset, subsetWords } = cascade;
  const { treeNodeStart, treeLeafStart, nodeLeft, nodeRight } = cascade;
  const { stride, corners: k } = table;

  // Whether node n sends the window at offset p left: its 8-bit pattern of 3x3 block sums
  // (OpenCV's bit order) is in the node's category subset.
  const goesLeft = (n: number, p: number): boolean => {
    const c = n * 16;
    const s0 = sums[p + k[c]], s1 = sums[p + k[c + 1]], s2 = sums[p + k[c + 2]], s3 = sums[p + k[c + 3]];
    const s4 = sums[p + k[c + 4]], s5 = sums[p + k[c + 5]], s6 = sums[p + k[c + 6]], s7 = sums[p + k[c + 7]];
    const s8 = sums[p + k[c + 8]], s9 = sums[p + k[c + 9]], s10 = sums[p + k[c + 10]], s11 = sums[p + k[c + 11]];
    const s12 = sums[p + k[c + 12]], s13 = sums[p + k[c + 13]], s14 = sums[p + k[c + 14]], s15 = sums[p + k[c + 15]];
    const center = (s5 - s6 - s9 + s10) | 0;
    const code =
      (((s0 - s1 - s4 + s5) | 0) >= center ? 128 : 0) |
      (((s1 - s2 - s5 + s6) | 0) >= center ? 64 : 0) |
      (((s2 - s3 - s6 + s7) | 0) >= center ? 32 : 0) |
      (((s6 - s7 - s10 + s11) | 0) >= center ? 16 : 0) |
      (((s10 - s11 - s14 + s15) | 0) >= center ? 8 : 0) |
      (((s9 - s10 - s13 + s14) | 0) >= center ? 4 : 0) |
      (((s8 - s9 - s12 + s13) | 0) >= center ? 2 : 0) |
      (((s4 - s5 - s8 + s9) | 0) >= center ? 1 : 0);
    return (nodeSubset[n * subsetWords + (code >> 5)] & (1 << (code & 31))) !== 0;
  };

  for (let y = firstRow; y < rows; y += step) {
    const row = y * stride;
    for (let x = 0; x < columns; x += step) {
      const p = row + x;
      const kept = x >= keepFrom;
      let result = 1;
      let tree = 0;
      for (let s = 0; s < (kept ? stageCount : 1); s++) {
        const end = stageTreeStart[s + 1];
        let total = 0;
        if (stumps) {
          for (; tree < end; tree++) total += goesLeft(tree, p) ? leaves[2 * tree] : leaves[2 * tree + 1];
        } else {
          for (; tree < end; tree++) {
            const root = treeNodeStart[tree];
            let next = 0;
            do {
              const n = root + next;
              next = goesLeft(n, p) ? nodeLeft[n] : nodeRight[n];
            } while (next > 0);
            total += leaves[treeLeafStart[tree] - next];
          }
        }
        if (total < stageThreshold[s]) {
          result = -s;
          break;
        }
      }
      if (result > 0 && kept) hits.push(x, y);
      else if (result === 0) x += step;
    }
  }
}
