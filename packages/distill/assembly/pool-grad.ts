// MaxPoolGrad for 2x2 windows with stride 2 that tile the input exactly (MicroExpNet's first
// pool), NHWC with channels a multiple of 4. Every input element lies in exactly one window,
// so dx is written in full (no zeroing pass). As in the cpu backend, the first strict maximum
// of a window in scan order (a b / c d) takes the gradient; NaN counts as -infinity, and a
// window whose values are all -infinity passes none.

/** x and dx: [batch, 2 * outHeight, 2 * outWidth, channels]; dy: [batch, outHeight, outWidth, channels]. */
export function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, batch: i32, outHeight: i32, outWidth: i32, channels: i32): void {
  const pixelBytes = <usize>channels << 2;
  const inRowBytes = pixelBytes * <usize>(outWidth * 2);
  const minusInfinity = f32x4.splat(-Infinity);
  const rows = batch * outHeight;
  let g = dy;
  for (let r = 0; r < rows; r++) {
    const rowStart = <usize>r * inRowBytes * 2; // byte offset of the window row pair
    for (let ox = 0; ox < outWidth; ox++) {
      const at = rowStart + <usize>(ox * 2) * pixelBytes;
      for (let c: usize = 0; c < pixelBytes; c += 16) {
        const p = at + c;
        let a = v128.load(x + p), b = v128.load(x + p + pixelBytes);
        let cc = v128.load(x + p + inRowBytes), d = v128.load(x + p + inRowBytes + pixelBytes);
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
        const grad = v128.and(v128.load(g), any);
        const top = v128.andnot(grad, down);
        const bottom = v128.and(grad, down);
        v128.store(dx + p, v128.andnot(top, right1));
        v128.store(dx + p + pixelBytes, v128.and(top, right1));
        v128.store(dx + p + inRowBytes, v128.andnot(bottom, right2));
        v128.store(dx + p + inRowBytes + pixelBytes, v128.and(bottom, right2));
        g += 16;
      }
    }
  }
}
