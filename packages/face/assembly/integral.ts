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
    let rowSum: i32 = 0, rowSquares: i32 = 0;
    for (let x = 1; x <= width; x++) {
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
    store<u16>(sums + at(y, 0, rowBytes, shift, planeBytes, 1), 0);
    let rowSum: i32 = 0;
    for (let x = 1; x <= width; x++) {
      rowSum += <i32>load<u8>(src + <usize>(x - 1));
      const o = sums + at(y, x, rowBytes, shift, planeBytes, 1);
      store<u16>(o, <i32>load<u16>(o - rowBytes) + rowSum);
    }
  }
}
