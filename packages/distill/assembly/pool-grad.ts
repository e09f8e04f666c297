// MaxPoolGrad for 2x2 windows with stride 2 and no padding before (MicroExpNet's two pools:
// VALID, or SAME whose windows at an odd bottom/right edge have one row/column), NHWC with
// channels a multiple of 4. Every input element lies in at most one window and dx is
// written in full (elements of no window, past a VALID edge, get 0), with no zeroing pass.
// As in the cpu backend, the first strict maximum of a window in scan order (a b / c d) takes
// the gradient; NaN counts as -infinity, and a window whose values are all -infinity passes none.

/** x and dx: [batch, height, width, channels]; dy: [batch, outHeight, outWidth, channels]. */
export function maxPoolGrad2x2(
  x: usize, dy: usize, dx: usize, batch: i32, height: i32, width: i32, outHeight: i32, outWidth: i32, channels: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  const inRowBytes = pixelBytes * <usize>width;
  const imageBytes = inRowBytes * <usize>height;
  const fullRows = min(outHeight, height >> 1);
  const fullCols = min(outWidth, width >> 1);
  let g = dy;
  for (let n = 0; n < batch; n++) {
    const image = <usize>n * imageBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const bottom = oy < fullRows; // the window has its second row
      for (let ox = 0; ox < outWidth; ox++) {
        const right = ox < fullCols;
        const at = image + <usize>(oy * 2) * inRowBytes + <usize>(ox * 2) * pixelBytes;
        for (let c: usize = 0; c < pixelBytes; c += 16) {
          windowGrad(x, dx, at + c, pixelBytes, inRowBytes, v128.load(g), right, bottom);
          g += 16;
        }
      }
    }
    // Input rows/columns past the last window (VALID on an odd side) get no gradient.
    for (let r = outHeight * 2; r < height; r++) memory.fill(dx + image + <usize>r * inRowBytes, 0, inRowBytes);
    if (outWidth * 2 < width) {
      for (let r = 0; r < min(height, outHeight * 2); r++) {
        const start = <usize>(outWidth * 2) * pixelBytes;
        memory.fill(dx + image + <usize>r * inRowBytes + start, 0, inRowBytes - start);
      }
    }
  }
}

@inline function windowGrad(x: usize, dx: usize, p: usize, pixelBytes: usize, inRowBytes: usize, gradient: v128, right: bool, bottom: bool): void {
  const minusInfinity = f32x4.splat(-Infinity);
  let a = v128.load(x + p);
  let b = right ? v128.load(x + p + pixelBytes) : minusInfinity;
  let cc = bottom ? v128.load(x + p + inRowBytes) : minusInfinity;
  let d = right && bottom ? v128.load(x + p + inRowBytes + pixelBytes) : minusInfinity;
  a = v128.bitselect(a, minusInfinity, f32x4.eq(a, a));
  b = v128.bitselect(b, minusInfinity, f32x4.eq(b, b));
  cc = v128.bitselect(cc, minusInfinity, f32x4.eq(cc, cc));
  d = v128.bitselect(d, minusInfinity, f32x4.eq(d, d));
  const right1 = f32x4.gt(b, a);
  const right2 = f32x4.gt(d, cc);
  const upper = v128.bitselect(b, a, right1);
  const lower = v128.bitselect(d, cc, right2);
  const down = f32x4.gt(lower, upper);
  const any = v128.or(f32x4.gt(upper, minusInfinity), f32x4.gt(lower, minusInfinity));
  const grad = v128.and(gradient, any);
  const top = v128.andnot(grad, down);
  const low = v128.and(grad, down);
  v128.store(dx + p, v128.andnot(top, right1));
  if (right) v128.store(dx + p + pixelBytes, v128.and(top, right1));
  if (bottom) v128.store(dx + p + inRowBytes, v128.andnot(low, right2));
  if (right && bottom) v128.store(dx + p + inRowBytes + pixelBytes, v128.and(low, right2));
}
