// Integral images of an 8-bit image in OpenCV's layout (a zero first row and column):
// S(y, x) = sum of pixels [0..y-1] x [0..x-1] for y in 0..height, x in 0..width. Squares wrap
// at 32 bits like OpenCV's CV_32S sums; differences of four corners stay exact.
//
// Entry (y, x) is stored at  base + y * rowBytes + (x >> shift) * 4 + (x & shift) * planeBytes:
// shift 0 is the plain layout; shift 1 splits even and odd columns into two planes
// `planeBytes` apart, so that windows two pixels apart are four consecutive i32s.

/** Where entry (y, x) lives; `entryShift` is 2 for i32 entries, 1 for u16 ones. */
@inline function at(y: i32, x: i32, rowBytes: usize, shift: i32, planeBytes: usize, entryShift: i32 = 2): usize {
  return <usize>y * rowBytes + (<usize>(x >> shift) << entryShift) + <usize>(x & shift) * planeBytes;
}

/** Running sums of the four lanes of v, plus `carry` (a splat of the sum so far). */
@inline function prefix(v: v128, carry: v128): v128 {
  const zero = i32x4.splat(0);
  const once = i32x4.add(v, v128.shuffle<i32>(zero, v, 3, 4, 5, 6));
  return i32x4.add(i32x4.add(once, v128.shuffle<i32>(zero, once, 2, 3, 4, 5)), carry);
}

@inline function lastLane(v: v128): v128 {
  return v128.shuffle<i32>(v, v, 3, 3, 3, 3);
}

/**
 * Stores the entries of columns x + 1 .. x + 8 of one row from their row sums (lo: columns
 * x + 1 .. x + 4, hi: x + 5 .. x + 8), each plus the entry above. x is a multiple of 8.
 */
@inline function storeEight(row: usize, rowBytes: usize, x: i32, shift: i32, planeBytes: usize, lo: v128, hi: v128): void {
  if (shift == 0) {
    const at = row + (<usize>(x + 1) << 2);
    v128.store(at, i32x4.add(v128.load(at - rowBytes), lo));
    v128.store(at + 16, i32x4.add(v128.load(at + 16 - rowBytes), hi));
  } else {
    // Odd columns x+1, x+3, x+5, x+7 are entries x/2 .. x/2+3 of the odd plane; even columns
    // x+2 .. x+8 are entries x/2+1 .. x/2+4 of the even plane.
    const odd = row + planeBytes + (<usize>(x >> 1) << 2);
    const even = row + (<usize>((x >> 1) + 1) << 2);
    v128.store(odd, i32x4.add(v128.load(odd - rowBytes), v128.shuffle<i32>(lo, hi, 0, 2, 4, 6)));
    v128.store(even, i32x4.add(v128.load(even - rowBytes), v128.shuffle<i32>(lo, hi, 1, 3, 5, 7)));
  }
}

/** Fills sums and squares for a width x height image at `pixels` (Haar cascades). */
export function integral(
  pixels: usize, width: i32, height: i32, sums: usize, squares: usize,
  rowBytes: usize, shift: i32, planeBytes: usize,
): void {
  for (let x = 0; x <= width; x++) {
    const o = at(0, x, rowBytes, shift, planeBytes);
    store<i32>(sums + o, 0);
    store<i32>(squares + o, 0);
  }
  for (let y = 1; y <= height; y++) {
    const src = pixels + <usize>(y - 1) * <usize>width;
    const first = at(y, 0, rowBytes, shift, planeBytes);
    store<i32>(sums + first, 0);
    store<i32>(squares + first, 0);
    const sumRow = sums + <usize>y * rowBytes, squareRow = squares + <usize>y * rowBytes;
    // Eight pixels at a time: row sums by two shifted adds per four lanes.
    let carry = i32x4.splat(0), carrySquares = i32x4.splat(0);
    let x = 0;
    for (; x + 8 <= width; x += 8) {
      const v = v128.load8x8_u(src + <usize>x);
      // 255 * 255 fits 16 unsigned bits: the low half of the 16-bit product is exact.
      const q = i16x8.mul(v, v);
      const lo = prefix(i32x4.extend_low_i16x8_u(v), carry);
      const hi = prefix(i32x4.extend_high_i16x8_u(v), lastLane(lo));
      const qLo = prefix(i32x4.extend_low_i16x8_u(q), carrySquares);
      const qHi = prefix(i32x4.extend_high_i16x8_u(q), lastLane(qLo));
      carry = lastLane(hi);
      carrySquares = lastLane(qHi);
      storeEight(sumRow, rowBytes, x, shift, planeBytes, lo, hi);
      storeEight(squareRow, rowBytes, x, shift, planeBytes, qLo, qHi);
    }
    let rowSum = i32x4.extract_lane(carry, 0), rowSquares = i32x4.extract_lane(carrySquares, 0);
    for (x++; x <= width; x++) {
      const v = <i32>load<u8>(src + <usize>(x - 1));
      rowSum += v;
      rowSquares += v * v;
      const o = at(y, x, rowBytes, shift, planeBytes);
      store<i32>(sums + o, load<i32>(sums + o - rowBytes) + rowSum);
      store<i32>(squares + o, load<i32>(squares + o - rowBytes) + rowSquares);
    }
  }
}

/**
 * The sums alone, kept modulo 2^16 (u16 entries, the same layout with 2-byte entries): enough
 * for the LBP kernel's block sums, which are differences of four corners below 2^16.
 */
export function integral16(pixels: usize, width: i32, height: i32, sums: usize, rowBytes: usize, shift: i32, planeBytes: usize): void {
  for (let x = 0; x <= width; x++) store<u16>(sums + at(0, x, rowBytes, shift, planeBytes, 1), 0);
  for (let y = 1; y <= height; y++) {
    const src = pixels + <usize>(y - 1) * <usize>width;
    const row = sums + <usize>y * rowBytes;
    store<u16>(sums + at(y, 0, rowBytes, shift, planeBytes, 1), 0);
    // Sixteen pixels at a time, in 16-bit lanes that wrap as the entries do.
    let carry = i16x8.splat(0);
    let x = 0;
    for (; x + 16 <= width; x += 16) {
      const lo = prefix16(v128.load8x8_u(src + <usize>x), carry);
      const hi = prefix16(v128.load8x8_u(src + <usize>x + 8), lastLane16(lo));
      carry = lastLane16(hi);
      if (shift == 0) {
        const at = row + (<usize>(x + 1) << 1);
        v128.store(at, i16x8.add(v128.load(at - rowBytes), lo));
        v128.store(at + 16, i16x8.add(v128.load(at + 16 - rowBytes), hi));
      } else {
        // Odd columns x+1 .. x+15 are entries x/2 .. x/2+7 of the odd plane; even columns
        // x+2 .. x+16 are entries x/2+1 .. x/2+8 of the even plane.
        const odd = row + planeBytes + (<usize>(x >> 1) << 1);
        const even = row + (<usize>((x >> 1) + 1) << 1);
        v128.store(odd, i16x8.add(v128.load(odd - rowBytes), v128.shuffle<i16>(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14)));
        v128.store(even, i16x8.add(v128.load(even - rowBytes), v128.shuffle<i16>(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15)));
      }
    }
    let rowSum = <i32>i16x8.extract_lane_u(carry, 0);
    for (x++; x <= width; x++) {
      rowSum += <i32>load<u8>(src + <usize>(x - 1));
      const o = sums + at(y, x, rowBytes, shift, planeBytes, 1);
      store<u16>(o, <i32>load<u16>(o - rowBytes) + rowSum);
    }
  }
}

/** Running sums (modulo 2^16) of the eight lanes of v, plus `carry` (a splat). */
@inline function prefix16(v: v128, carry: v128): v128 {
  const zero = i16x8.splat(0);
  const one = i16x8.add(v, v128.shuffle<i16>(zero, v, 7, 8, 9, 10, 11, 12, 13, 14));
  const two = i16x8.add(one, v128.shuffle<i16>(zero, one, 6, 7, 8, 9, 10, 11, 12, 13));
  const four = i16x8.add(two, v128.shuffle<i16>(zero, two, 4, 5, 6, 7, 8, 9, 10, 11));
  return i16x8.add(four, carry);
}

@inline function lastLane16(v: v128): v128 {
  return v128.shuffle<i16>(v, v, 7, 7, 7, 7, 7, 7, 7, 7);
}
