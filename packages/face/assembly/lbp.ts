// LBP stump cascades (OpenCV's LBPEvaluator with predictCategoricalStump), four windows at a
// time. Memory laid out by the host (src/detect/wasm-scanner.ts), per stump n:
//   corners + 64 n : 16 i32, byte offsets of the 4 x 4 block-corner grid, row by row
//   subsets + 32 n : 8 i32, bit c set when category c goes to the left leaf
//   leaves  + 16 n : f64 left, right leaf
// per stage s: stages + 16 s: i32 end (stump index), unused, f64 threshold
import { insideRow, narrow, startRow, visitAfterStageZero, writeHits } from "./walk";

@inline function corner(base: usize, corners: usize, k: i32): v128 {
  return v128.load(base + <usize>load<i32>(corners + (<usize>k << 2)));
}

@inline function bit(sum: v128, center: v128, value: i32): v128 {
  return v128.and(i32x4.ge_s(sum, center), i32x4.splat(value));
}

/** The 8-bit local binary pattern of the 3 x 3 blocks, per lane (OpenCV's bit order). */
@inline function pattern(base: usize, corners: usize): v128 {
  // Differences along each grid row first: a block sum is then one more subtraction.
  const a0 = corner(base, corners, 0), a1 = corner(base, corners, 1), a2 = corner(base, corners, 2), a3 = corner(base, corners, 3);
  const b0 = corner(base, corners, 4), b1 = corner(base, corners, 5), b2 = corner(base, corners, 6), b3 = corner(base, corners, 7);
  const c0 = corner(base, corners, 8), c1 = corner(base, corners, 9), c2 = corner(base, corners, 10), c3 = corner(base, corners, 11);
  const d0 = corner(base, corners, 12), d1 = corner(base, corners, 13), d2 = corner(base, corners, 14), d3 = corner(base, corners, 15);
  const ra0 = i32x4.sub(a1, a0), ra1 = i32x4.sub(a2, a1), ra2 = i32x4.sub(a3, a2);
  const rb0 = i32x4.sub(b1, b0), rb1 = i32x4.sub(b2, b1), rb2 = i32x4.sub(b3, b2);
  const rc0 = i32x4.sub(c1, c0), rc1 = i32x4.sub(c2, c1), rc2 = i32x4.sub(c3, c2);
  const rd0 = i32x4.sub(d1, d0), rd1 = i32x4.sub(d2, d1), rd2 = i32x4.sub(d3, d2);
  // Block (row, col) = rows[row + 1][col] - rows[row][col] (integer sums wrap exactly like OpenCV's).
  const center = i32x4.sub(rc1, rb1);
  return v128.or(v128.or(v128.or(
    bit(i32x4.sub(rb0, ra0), center, 128), bit(i32x4.sub(rb1, ra1), center, 64)),
    v128.or(bit(i32x4.sub(rb2, ra2), center, 32), bit(i32x4.sub(rc2, rb2), center, 16))),
    v128.or(v128.or(bit(i32x4.sub(rd2, rc2), center, 8), bit(i32x4.sub(rd1, rc1), center, 4)),
      v128.or(bit(i32x4.sub(rd0, rc0), center, 2), bit(i32x4.sub(rc0, rb0), center, 1))));
}

/** Lanes whose category (0..255) is in the 256-bit subset: byte c >> 3, bit c & 7, by table lookups. */
@inline function inSubset(subset: usize, codes: v128): v128 {
  const byteIndex = i32x4.shr_u(codes, 3);
  const low = i8x16.swizzle(v128.load(subset), byteIndex);
  const high = i8x16.swizzle(v128.load(subset, 16), i32x4.sub(byteIndex, i32x4.splat(16)));
  const bit = i8x16.swizzle(i8x16(1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0), v128.and(codes, i32x4.splat(7)));
  // Only the low byte of each lane is a real lookup (the index's upper bytes are 0 or 0xff).
  return i32x4.ne(v128.and(v128.and(v128.or(low, high), bit), i32x4.splat(0xff)), i32x4.splat(0));
}

/** As scanHaar, for LBP stumps; LBP windows are always classified (no variance test). */
export function scanLbp(
  sums: usize, rowBytes: usize, cols: i32, rows: i32, step: i32,
  corners: usize, subsets: usize, leaves: usize, stages: usize, stageCount: i32,
  hits: usize, maxHits: i32,
): i32 {
  let count = 0;
  for (let y = 0; y < rows; y += step) {
    startRow();
    // Consecutive lanes are adjacent entries: the next group starts 4 entries on. (A
    // pointer that advances, rather than one computed from x0, keeps a division out of the loop.)
    let base = sums + <usize>y * rowBytes;
    for (let x0 = 0; x0 < cols; x0 += step << 2, base += 16) {
      let alive = insideRow(x0, step, cols);
      let stump: usize = 0;
      for (let stage = 0; stage < stageCount; stage++) {
        const stageAt = stages + (<usize>stage << 4);
        const end = <usize>load<i32>(stageAt);
        let accLo = f64x2.splat(0), accHi = f64x2.splat(0);
        for (; stump < end; stump++) {
          const left = inSubset(subsets + (stump << 5), pattern(base, corners + (stump << 6)));
          const l = f64x2.splat(load<f64>(leaves + (stump << 4))), r = f64x2.splat(load<f64>(leaves + (stump << 4), 8));
          accLo = f64x2.add(accLo, v128.bitselect(l, r, i64x2.extend_low_i32x4_s(left)));
          accHi = f64x2.add(accHi, v128.bitselect(l, r, i64x2.extend_high_i32x4_s(left)));
        }
        const threshold = f64x2.splat(load<f64>(stageAt, 8));
        const passed = narrow(f64x2.ge(accLo, threshold), f64x2.ge(accHi, threshold));
        alive = stage == 0 ? visitAfterStageZero(alive, passed) : v128.and(alive, passed);
        if (!v128.any_true(alive)) break;
      }
      if (v128.any_true(alive)) count = writeHits(alive, x0, step, y, hits, count, maxHits);
    }
  }
  return count;
}
