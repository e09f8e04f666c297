// MaxPool for 2x2 windows with stride 2 and no padding before, NHWC with channels a multiple
// of 4 (the windows of maxPoolGrad2x2, pool-grad.ts). As in the cpu backend, NaN never wins
// (a window of NaN and -infinity only gives -infinity).

/** x: [batch, height, width, channels]; y: [batch, outHeight, outWidth, channels]. */
export function maxPool2x2(x: usize, y: usize, batch: i32, height: i32, width: i32, outHeight: i32, outWidth: i32, channels: i32): void {
  const pixelBytes = <usize>channels << 2;
  const inRowBytes = pixelBytes * <usize>width;
  const imageBytes = inRowBytes * <usize>height;
  const fullRows = min(outHeight, height >> 1);
  const fullCols = min(outWidth, width >> 1);
  const minusInfinity = f32x4.splat(-Infinity);
  let out = y;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const bottom = oy < fullRows;
      for (let ox = 0; ox < outWidth; ox++) {
        const right = ox < fullCols;
        const at = x + <usize>n * imageBytes + <usize>(oy * 2) * inRowBytes + <usize>(ox * 2) * pixelBytes;
        for (let c: usize = 0; c < pixelBytes; c += 16) {
          const p = at + c;
          let m = notNaN(v128.load(p), minusInfinity);
          if (right) m = f32x4.max(m, notNaN(v128.load(p + pixelBytes), minusInfinity));
          if (bottom) m = f32x4.max(m, notNaN(v128.load(p + inRowBytes), minusInfinity));
          if (right && bottom) m = f32x4.max(m, notNaN(v128.load(p + inRowBytes + pixelBytes), minusInfinity));
          v128.store(out, m);
          out += 16;
        }
      }
    }
  }
}

@inline function notNaN(v: v128, minusInfinity: v128): v128 {
  return v128.bitselect(v, minusInfinity, f32x4.eq(v, v));
}
