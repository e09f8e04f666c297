// Haar cascades (OpenCV's HaarEvaluator with predictOrderedStump / predictOrdered), four
// windows at a time. Lane by lane the arithmetic is OpenCV's: int32 rectangle sums, float32
// feature values and variance normalisation, float64 stage sums in the trees' order (or, for
// stumps whose sums the host finds exact in float64, sums of leaf differences: the same sums).
//
// Memory laid out by the host (src/detect/wasm-scanner.ts), byte offsets, per node n:
//   corners + 48 n : 12 i32, the byte offsets of 3 rectangles' corners from the window origin
//   floats  + 16 n : f32 w0, w1, w2, threshold
//   weights + 16 n : i32 w0, w1, w2 (when every weight is an integer small enough that
//                    OpenCV's float32 feature sums are exact integers: `integerWeights`)
//   links   +  8 n : i32 left, right child (<= 0: leaf -child of the tree)      (trees only)
// per tree t:  trees + 16 t : i32 first node, node count, first leaf              (trees only)
// per stump t: leaves + 16 t: f64 left, right leaf                               (stumps only)
//              or, with leafDifferences, f64 left - right (and the stage thresholds lowered
//              by the sum of the stage's right leaves; see leafSumsExact in the host)
// per stage s: stages + 16 s: i32 end (tree index), unused, f64 threshold
import { insideRow, narrow, startRow, visitAfterStageZero, writeHits } from "./walk";

@inline function boxSum(base: usize, corners: usize): v128 {
  return i32x4.add(i32x4.sub(i32x4.sub(
    v128.load(base + <usize>load<i32>(corners)),
    v128.load(base + <usize>load<i32>(corners, 4))),
    v128.load(base + <usize>load<i32>(corners, 8))),
    v128.load(base + <usize>load<i32>(corners, 12)));
}

/** OpenCV's OptFeature::calc times the variance normalisation, lane by lane (float32). */
@inline function featureValue(base: usize, corners: usize, floats: usize, weights: usize, integerWeights: bool, norm: v128): v128 {
  if (integerWeights) {
    // The float32 products and sums OpenCV computes are exact integers here: add in int32.
    let sum = i32x4.add(
      i32x4.mul(i32x4.splat(load<i32>(weights)), boxSum(base, corners)),
      i32x4.mul(i32x4.splat(load<i32>(weights, 4)), boxSum(base, corners + 16)));
    const w2 = load<i32>(weights, 8);
    if (w2 != 0) sum = i32x4.add(sum, i32x4.mul(i32x4.splat(w2), boxSum(base, corners + 32)));
    return f32x4.mul(f32x4.convert_i32x4_s(sum), norm);
  }
  let value = f32x4.add(
    f32x4.mul(f32x4.splat(load<f32>(floats)), f32x4.convert_i32x4_s(boxSum(base, corners))),
    f32x4.mul(f32x4.splat(load<f32>(floats, 4)), f32x4.convert_i32x4_s(boxSum(base, corners + 16))));
  const w2 = load<f32>(floats, 8);
  if (w2 != 0) value = f32x4.add(value, f32x4.mul(f32x4.splat(w2), f32x4.convert_i32x4_s(boxSum(base, corners + 32))));
  return f32x4.mul(value, norm);
}

/** 1 / (area * standard deviation) per lane, as float32, and which lanes OpenCV classifies (std > 10). */
let normalisation: v128 = i32x4.splat(0);

@inline function varianceCheck(base: usize, squares: usize, n0: usize, n1: usize, n2: usize, n3: usize, area: f64): v128 {
  const s = i32x4.add(i32x4.sub(i32x4.sub(v128.load(base + n0), v128.load(base + n1)), v128.load(base + n2)), v128.load(base + n3));
  const q = i32x4.add(i32x4.sub(i32x4.sub(v128.load(squares + n0), v128.load(squares + n1)), v128.load(squares + n2)), v128.load(squares + n3));
  const areaV = f64x2.splat(area);
  const sLo = f64x2.convert_low_i32x4_s(s);
  const sHi = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(s, s, 2, 3, 0, 1));
  const spreadLo = f64x2.sub(f64x2.mul(areaV, f64x2.convert_low_i32x4_u(q)), f64x2.mul(sLo, sLo));
  const spreadHi = f64x2.sub(f64x2.mul(areaV, f64x2.convert_low_i32x4_u(v128.shuffle<i32>(q, q, 2, 3, 0, 1))), f64x2.mul(sHi, sHi));
  const one = f64x2.splat(1);
  const norm = v128.shuffle<i32>(
    f32x4.demote_f64x2_zero(f64x2.div(one, f64x2.sqrt(spreadLo))),
    f32x4.demote_f64x2_zero(f64x2.div(one, f64x2.sqrt(spreadHi))), 0, 1, 4, 5);
  normalisation = norm;
  const zero = f64x2.splat(0), tenth = f64x2.splat(0.1);
  const okLo = v128.and(f64x2.gt(spreadLo, zero), f64x2.lt(f64x2.mul(areaV, f64x2.promote_low_f32x4(norm)), tenth));
  const okHi = v128.and(f64x2.gt(spreadHi, zero),
    f64x2.lt(f64x2.mul(areaV, f64x2.promote_low_f32x4(v128.shuffle<i32>(norm, norm, 2, 3, 0, 1))), tenth));
  return narrow(okLo, okHi);
}

/**
 * Scans the windows of one pyramid level: origins x in [0, cols) and y in [0, rows), both
 * every `step` pixels. `sums`/`squares` point at the integral images, `rowBytes` apart per
 * row, laid out so that 4 consecutive i32 hold the lanes (see integral.ts). n0..n3 are the
 * byte offsets of the variance window's corners, `area` its pixel count. Accepted (x, y)
 * pairs go to `hits` (room for maxHits); returns their number (more than maxHits: overflow).
 */
export function scanHaar(
  sums: usize, squares: usize, rowBytes: usize, cols: i32, rows: i32, step: i32,
  n0: usize, n1: usize, n2: usize, n3: usize, area: f64,
  corners: usize, floats: usize, weights: usize, integerWeights: bool, links: usize, trees: usize, leaves: usize,
  stages: usize, stageCount: i32, stumps: bool, leafDifferences: bool, hits: usize, maxHits: i32,
): i32 {
  let count = 0;
  for (let y = 0; y < rows; y += step) {
    startRow();
    // Consecutive lanes are adjacent entries: the next group starts 4 entries on. (An offset
    // that advances, rather than one computed from x0, keeps a division out of the loop.)
    let offset = <usize>y * rowBytes;
    for (let x0 = 0; x0 < cols; x0 += step << 2, offset += 16) {
      const base = sums + offset;
      let alive = v128.and(varianceCheck(base, squares + offset, n0, n1, n2, n3, area), insideRow(x0, step, cols));
      if (!v128.any_true(alive)) {
        startRow(); // no lane was rejected at stage 0, so nothing is skipped
        continue;
      }
      const norm = normalisation;
      let tree = 0;
      for (let stage = 0; stage < stageCount; stage++) {
        const stageAt = stages + (<usize>stage << 4);
        const end = load<i32>(stageAt);
        let accLo = f64x2.splat(0), accHi = f64x2.splat(0);
        if (stumps && leafDifferences) {
          // Each stump adds left - right where it goes left, to a sum that starts at 0 against
          // a threshold lowered by the right leaves' sum: exact, so the same test as OpenCV's.
          for (; tree < end; tree++) {
            const t = <usize>tree;
            const left = f32x4.lt(featureValue(base, corners + t * 48, floats + (t << 4), weights + (t << 4), integerWeights, norm), f32x4.splat(load<f32>(floats + (t << 4), 12)));
            const difference = f64x2.splat(load<f64>(leaves + (t << 4)));
            accLo = f64x2.add(accLo, v128.and(i64x2.extend_low_i32x4_s(left), difference));
            accHi = f64x2.add(accHi, v128.and(i64x2.extend_high_i32x4_s(left), difference));
          }
        } else if (stumps) {
          for (; tree < end; tree++) {
            const t = <usize>tree;
            const left = f32x4.lt(featureValue(base, corners + t * 48, floats + (t << 4), weights + (t << 4), integerWeights, norm), f32x4.splat(load<f32>(floats + (t << 4), 12)));
            const l = f64x2.splat(load<f64>(leaves + (t << 4))), r = f64x2.splat(load<f64>(leaves + (t << 4), 8));
            accLo = f64x2.add(accLo, v128.bitselect(l, r, i64x2.extend_low_i32x4_s(left)));
            accHi = f64x2.add(accHi, v128.bitselect(l, r, i64x2.extend_high_i32x4_s(left)));
          }
        } else {
          for (; tree < end; tree++) {
            const info = trees + (<usize>tree << 4);
            const first = load<i32>(info), nodeCount = load<i32>(info, 4), firstLeaf = load<i32>(info, 8);
            // Children come after their parents, so one pass in node order walks every lane.
            let at = i32x4.splat(0);
            for (let k = 0; k < nodeCount; k++) {
              const n = <usize>(first + k);
              const here = i32x4.eq(at, i32x4.splat(k));
              if (!v128.any_true(here)) continue;
              const left = f32x4.lt(featureValue(base, corners + n * 48, floats + (n << 4), weights + (n << 4), integerWeights, norm), f32x4.splat(load<f32>(floats + (n << 4), 12)));
              const next = v128.bitselect(i32x4.splat(load<i32>(links + (n << 3))), i32x4.splat(load<i32>(links + (n << 3), 4)), left);
              at = v128.bitselect(next, at, here);
            }
            const leaf = leaves + (<usize>firstLeaf << 3);
            accLo = f64x2.add(accLo, f64x2.replace_lane(f64x2.splat(load<f64>(leaf + (<usize>-i32x4.extract_lane(at, 0) << 3))), 1,
              load<f64>(leaf + (<usize>-i32x4.extract_lane(at, 1) << 3))));
            accHi = f64x2.add(accHi, f64x2.replace_lane(f64x2.splat(load<f64>(leaf + (<usize>-i32x4.extract_lane(at, 2) << 3))), 1,
              load<f64>(leaf + (<usize>-i32x4.extract_lane(at, 3) << 3))));
          }
        }
        const threshold = f64x2.splat(load<f64>(stageAt, 8));
        const passed = narrow(f64x2.ge(accLo, threshold), f64x2.ge(accHi, threshold));
        alive = stage == 0 ? visitAfterStageZero(alive, passed, x0, step) : v128.and(alive, passed);
        if (!v128.any_true(alive)) break;
      }
      if (v128.any_true(alive)) count = writeHits(alive, x0, step, y, hits, count, maxHits);
    }
  }
  return count;
}
