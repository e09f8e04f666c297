// LBP stump cascades (OpenCV's LBPEvaluator with predictCategoricalStump), eight windows at
// a time, on sums kept modulo 2^16 (integral16). A block's sum is the difference of four
// corners: when every block has at most 257 pixels it is below 2^16, so the wrapped u16
// arithmetic gives it exactly and OpenCV's signed int comparisons become unsigned 16-bit ones.
// Every cascade with a window up to 48x48 qualifies (the host checks; others run on the
// JavaScript path). Stage sums are float64: in the stumps' order as OpenCV's, or as exact sums
// of leaf differences when the host finds that every stage's sums fit float64 (leafDifferences).
// Memory laid out by the host (src/detect/wasm-scanner.ts), per stump n:
//   corners + 64 n : 16 i32, byte offsets of the 4 x 4 block-corner grid (2-byte entries), row by row
//   subsets + 32 n : 8 i32, bit c set when category c goes to the left leaf
//   leaves  + 16 n : f64 left, right leaf; with leafDifferences f64 right - left (and the stage
//                    thresholds lowered by the stage's left leaves, see leafSumsExact in the host)
// per stage s: stages + 16 s: i32 end (stump index), unused, f64 threshold
import { startRow, visitLanes, writeHitBits } from "./walk";

@inline function corner(base: usize, corners: usize, k: i32): v128 {
  return v128.load(base + <usize>load<i32>(corners + (<usize>k << 2)));
}

/** acc * 2 + 1 where `mask` is set (all ones), acc * 2 elsewhere: builds a number bit by bit without constants. */
@inline function push(acc: v128, mask: v128): v128 {
  return i16x8.sub(i16x8.shl(acc, 1), mask);
}

/** The lanes' sums >= center, as all-ones masks (unsigned: block sums reach 2^16 - 1). */
@inline function atLeast(sum: v128, center: v128): v128 {
  return i16x8.ge_u(sum, center);
}

/**
 * Bytes 0..7 are 0xff where lane i's window goes to the right leaf: its local binary pattern
 * (OpenCV's bit order over the 3 x 3 blocks) is not in the stump's 256-bit category subset,
 * byte (code >> 3), bit (code & 7). The pattern is built as those two parts directly, so
 * that no shifting or masking is needed.
 */
@inline function goesRight(base: usize, corners: usize, subset: usize): v128 {
  // Differences along each grid row first: a block sum is then one more subtraction.
  const a0 = corner(base, corners, 0), a1 = corner(base, corners, 1), a2 = corner(base, corners, 2), a3 = corner(base, corners, 3);
  const b0 = corner(base, corners, 4), b1 = corner(base, corners, 5), b2 = corner(base, corners, 6), b3 = corner(base, corners, 7);
  const c0 = corner(base, corners, 8), c1 = corner(base, corners, 9), c2 = corner(base, corners, 10), c3 = corner(base, corners, 11);
  const d0 = corner(base, corners, 12), d1 = corner(base, corners, 13), d2 = corner(base, corners, 14), d3 = corner(base, corners, 15);
  const ra0 = i16x8.sub(a1, a0), ra1 = i16x8.sub(a2, a1), ra2 = i16x8.sub(a3, a2);
  const rb0 = i16x8.sub(b1, b0), rb1 = i16x8.sub(b2, b1), rb2 = i16x8.sub(b3, b2);
  const rc0 = i16x8.sub(c1, c0), rc1 = i16x8.sub(c2, c1), rc2 = i16x8.sub(c3, c2);
  const rd0 = i16x8.sub(d1, d0), rd1 = i16x8.sub(d2, d1), rd2 = i16x8.sub(d3, d2);
  // Block (row, col) = rows[row + 1][col] - rows[row][col]; u16 wrapping gives it exactly.
  const center = i16x8.sub(rc1, rb1);
  // Bits 7..3 (values 128..8): blocks (0,0) (0,1) (0,2) (1,2) (2,2); bits 2..0: (2,1) (2,0) (1,0).
  let high = i16x8.sub(i16x8.splat(0), atLeast(i16x8.sub(rb0, ra0), center));
  high = push(high, atLeast(i16x8.sub(rb1, ra1), center));
  high = push(high, atLeast(i16x8.sub(rb2, ra2), center));
  high = push(high, atLeast(i16x8.sub(rc2, rb2), center));
  high = push(high, atLeast(i16x8.sub(rd2, rc2), center));
  let low = i16x8.sub(i16x8.splat(0), atLeast(i16x8.sub(rd1, rc1), center));
  low = push(low, atLeast(i16x8.sub(rd0, rc0), center));
  low = push(low, atLeast(i16x8.sub(rc0, rb0), center));
  const byteIndex = i8x16.narrow_i16x8_u(high, high);
  const bitIndex = i8x16.narrow_i16x8_u(low, low);
  const inLow = i8x16.swizzle(v128.load(subset), byteIndex);
  const inHigh = i8x16.swizzle(v128.load(subset, 16), i8x16.sub(byteIndex, i8x16.splat(16)));
  const bit = i8x16.swizzle(i8x16(1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0), bitIndex);
  return i8x16.eq(v128.and(v128.or(inLow, inHigh), bit), i8x16.splat(0)); // eq is one instruction, ne three
}

/** Lanes x0 + lane * step below `cols`, as bits. */
@inline function insideRowBits(x0: i32, step: i32, cols: i32): i32 {
  const room = (cols - x0 + step - 1) / step;
  return room >= 8 ? 0xff : (1 << room) - 1;
}

/**
 * Scans the windows of one pyramid level (origins x in [0, cols), y in [0, rows), both every
 * `step` pixels) as scanHaar does, eight positions per step; returns the number of hits.
 */
export function scanLbp(
  sums: usize, rowBytes: usize, cols: i32, rows: i32, step: i32,
  corners: usize, subsets: usize, leaves: usize, stages: usize, stageCount: i32, leafDifferences: bool,
  hits: usize, maxHits: i32,
): i32 {
  let count = 0;
  for (let y = 0; y < rows; y += step) {
    startRow();
    // Consecutive lanes are adjacent entries: the next group starts 8 entries on. (A
    // pointer that advances, rather than one computed from x0, keeps a division out of the loop.)
    let base = sums + <usize>y * rowBytes;
    for (let x0 = 0; x0 < cols; x0 += step << 3, base += 16) {
      let alive = insideRowBits(x0, step, cols);
      let stump: usize = 0;
      for (let stage = 0; stage < stageCount; stage++) {
        const stageAt = stages + (<usize>stage << 4);
        const end = <usize>load<i32>(stageAt);
        let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0), acc2 = f64x2.splat(0), acc3 = f64x2.splat(0);
        if (leafDifferences) {
          // right - left where a stump goes right, against the threshold less the left leaves'
          // sum: exact (the host checks), so the same test as OpenCV's.
          for (; stump < end; stump++) {
            const right = i16x8.extend_low_i8x16_s(goesRight(base, corners + (stump << 6), subsets + (stump << 5)));
            const rightLo = i32x4.extend_low_i16x8_s(right), rightHi = i32x4.extend_high_i16x8_s(right);
            const d = f64x2.splat(load<f64>(leaves + (stump << 4)));
            acc0 = f64x2.add(acc0, v128.and(i64x2.extend_low_i32x4_s(rightLo), d));
            acc1 = f64x2.add(acc1, v128.and(i64x2.extend_high_i32x4_s(rightLo), d));
            acc2 = f64x2.add(acc2, v128.and(i64x2.extend_low_i32x4_s(rightHi), d));
            acc3 = f64x2.add(acc3, v128.and(i64x2.extend_high_i32x4_s(rightHi), d));
          }
        } else {
          for (; stump < end; stump++) {
            const right = i16x8.extend_low_i8x16_s(goesRight(base, corners + (stump << 6), subsets + (stump << 5)));
            const rightLo = i32x4.extend_low_i16x8_s(right), rightHi = i32x4.extend_high_i16x8_s(right);
            const l = f64x2.splat(load<f64>(leaves + (stump << 4))), r = f64x2.splat(load<f64>(leaves + (stump << 4), 8));
            acc0 = f64x2.add(acc0, v128.bitselect(r, l, i64x2.extend_low_i32x4_s(rightLo)));
            acc1 = f64x2.add(acc1, v128.bitselect(r, l, i64x2.extend_high_i32x4_s(rightLo)));
            acc2 = f64x2.add(acc2, v128.bitselect(r, l, i64x2.extend_low_i32x4_s(rightHi)));
            acc3 = f64x2.add(acc3, v128.bitselect(r, l, i64x2.extend_high_i32x4_s(rightHi)));
          }
        }
        const threshold = f64x2.splat(load<f64>(stageAt, 8));
        const passed = i64x2.bitmask(f64x2.ge(acc0, threshold)) | (i64x2.bitmask(f64x2.ge(acc1, threshold)) << 2) |
          (i64x2.bitmask(f64x2.ge(acc2, threshold)) << 4) | (i64x2.bitmask(f64x2.ge(acc3, threshold)) << 6);
        alive = stage == 0 ? visitLanes(alive, passed, 8, x0, step) : alive & passed;
        if (alive == 0) break;
      }
      if (alive != 0) count = writeHitBits(alive, x0, step, y, hits, count, maxHits);
    }
  }
  return count;
}
