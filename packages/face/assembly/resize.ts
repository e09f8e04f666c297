// OpenCV's INTER_LINEAR_EXACT resize of 8-bit gray images (the resize its cascade detector
// uses for the pyramid). The host computes the per-axis tables (see src/detect/resize-exact.ts):
// per output column/row a source index and two 8-bit fixed-point weights; outputs before
// `start` copy source 0 and from `end` on copy the last source.

/** One source row resampled horizontally into `out` (i32, 8 fractional bits). */
@inline function horizontal(
  src: usize, srcWidth: i32, width: i32, index: usize, w0: usize, w1: usize, start: i32, end: i32, out: usize,
): void {
  const first = <i32>load<u8>(src) << 8;
  const last = <i32>load<u8>(src + <usize>(srcWidth - 1)) << 8;
  let x = 0;
  for (; x < start; x++) store<i32>(out + (<usize>x << 2), first);
  for (; x < end; x++) {
    const o = <usize>x << 2;
    const s = src + <usize>load<i32>(index + o);
    store<i32>(out + o, <i32>load<u8>(s) * load<i32>(w0 + o) + <i32>load<u8>(s, 1) * load<i32>(w1 + o));
  }
  for (; x < width; x++) store<i32>(out + (<usize>x << 2), last);
}

/** Four pixels of the vertical pass: (upper * b0 + lower * b1 + 2^15) >> 16. */
@inline function blend(upper: usize, lower: usize, b0: v128, b1: v128, half: v128): v128 {
  return i32x4.shr_u(i32x4.add(i32x4.add(i32x4.mul(v128.load(upper), b0), i32x4.mul(v128.load(lower), b1)), half), 16);
}

/**
 * Resizes src (srcWidth x srcHeight bytes) into dst (width x height bytes). Column tables
 * at cols (index, w0, w1: `width` i32 each), row tables at rows (`height` i32 each);
 * `upper`/`lower` are 2 scratch rows of `width` i32.
 */
export function resizeExact(
  src: usize, srcWidth: i32, srcHeight: i32, dst: usize, width: i32, height: i32,
  cols: usize, colStart: i32, colEnd: i32, rows: usize, rowStart: i32, rowEnd: i32, upper: usize, lower: usize,
): void {
  const colBytes = <usize>width << 2, rowBytes = <usize>height << 2;
  const cIndex = cols, cW0 = cols + colBytes, cW1 = cols + 2 * colBytes;
  const rIndex = rows, rW0 = rows + rowBytes, rW1 = rows + 2 * rowBytes;
  let upperRow = -1, lowerRow = -1;
  for (let y = 0; y < height; y++) {
    const out = dst + <usize>y * <usize>width;
    if (y < rowStart || y >= rowEnd) {
      const edge = y < rowStart ? 0 : srcHeight - 1;
      horizontal(src + <usize>edge * <usize>srcWidth, srcWidth, width, cIndex, cW0, cW1, colStart, colEnd, upper);
      upperRow = -1;
      for (let x = 0; x < width; x++) store<u8>(out + <usize>x, <u8>((load<i32>(upper + (<usize>x << 2)) + 128) >> 8));
      continue;
    }
    const r0 = load<i32>(rIndex + (<usize>y << 2));
    if (r0 != upperRow) {
      if (r0 == lowerRow) {
        const t = upper; upper = lower; lower = t;
        upperRow = lowerRow;
        lowerRow = -1;
      } else {
        horizontal(src + <usize>r0 * <usize>srcWidth, srcWidth, width, cIndex, cW0, cW1, colStart, colEnd, upper);
        upperRow = r0;
      }
    }
    if (r0 + 1 != lowerRow) {
      horizontal(src + <usize>(r0 + 1) * <usize>srcWidth, srcWidth, width, cIndex, cW0, cW1, colStart, colEnd, lower);
      lowerRow = r0 + 1;
    }
    const b0 = load<i32>(rW0 + (<usize>y << 2)), b1 = load<i32>(rW1 + (<usize>y << 2));
    // Sixteen pixels at a time: the sums stay below 2^31 and the results within 0..255, so
    // the saturating narrows are exact.
    const v0 = i32x4.splat(b0), v1 = i32x4.splat(b1), half = i32x4.splat(32768);
    let x = 0;
    for (; x + 16 <= width; x += 16) {
      const o = <usize>x << 2;
      const p0 = blend(upper + o, lower + o, v0, v1, half), p1 = blend(upper + o + 16, lower + o + 16, v0, v1, half);
      const p2 = blend(upper + o + 32, lower + o + 32, v0, v1, half), p3 = blend(upper + o + 48, lower + o + 48, v0, v1, half);
      v128.store(out + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(p0, p1), i16x8.narrow_i32x4_u(p2, p3)));
    }
    for (; x < width; x++) {
      const o = <usize>x << 2;
      store<u8>(out + <usize>x, <u8>(<u32>(load<i32>(upper + o) * b0 + load<i32>(lower + o) * b1 + 32768) >> 16));
    }
  }
}
