// The two gradients of a depthwise convolution with channel multiplier 1 (dilation 1, any
// kernel size, strides and padding before), NHWC with channels a multiple of 4, vectorised
// over channels: 16 at a time (4 vectors, independent chains), then 4 at a time. Both sum
// in registers and read only the few rows in use at a time (they stay in L1).

/** The output columns whose input column o * stride + shift lies in [0, size): [first, end). */
@inline function firstColumn(shift: i32, stride: i32): i32 {
  return shift >= 0 ? 0 : (stride - 1 - shift) / stride;
}

@inline function endColumn(shift: i32, stride: i32, size: i32, outSize: i32): i32 {
  const last = size - 1 - shift;
  return last < 0 ? 0 : min(outSize, last / stride + 1);
}

/** Adds the 4 floats of v to the 4 doubles at s. */
@inline function addToDoubles(s: usize, v: v128): void {
  v128.store(s, f64x2.add(v128.load(s), f64x2.promote_low_f32x4(v)));
  v128.store(s, f64x2.add(v128.load(s, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
}

/**
 * Walks (image, output row, tap row) and runs along that input row and dy row once per tap
 * column, over the output columns [first, end) whose input column lies inside the image.
 * dw[i, j, c] = sum over n, oy, ox of x[n, oy * strideH - top + i, ox * strideW - left + j, c]
 * * dy[n, oy, ox, c]. x: [batch, height, width, channels]; dy: [batch, outHeight, outWidth,
 * channels]; dw: [kh, kw, channels]. Each row's products are summed in float32, the rows in
 * double precision (the cpu backend sums in doubles; dsnet's first layer sums 113,000
 * products per weight). scratch: kh * kw * channels doubles.
 */
export function depthwiseFilter(
  x: usize, dy: usize, batch: i32, height: i32, width: i32, channels: i32, kh: i32, kw: i32,
  strideH: i32, strideW: i32, top: i32, left: i32, outHeight: i32, outWidth: i32, dw: usize, scratch: usize,
): void {
  const pixelBytes = <usize>channels << 2;
  const inRowBytes = pixelBytes * <usize>width;
  const outRowBytes = pixelBytes * <usize>outWidth;
  const xStep = pixelBytes * <usize>strideW;
  const taps = kh * kw;
  memory.fill(scratch, 0, <usize>(taps * channels) << 3);
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const dyRow = dy + <usize>(n * outHeight + oy) * outRowBytes;
      for (let i = 0; i < kh; i++) {
        const iy = oy * strideH - top + i;
        if (iy < 0 || iy >= height) continue;
        const xRow = x + <usize>(n * height + iy) * inRowBytes;
        for (let j = 0; j < kw; j++) {
          const shift = j - left;
          const first = firstColumn(shift, strideW);
          const end = endColumn(shift, strideW, width, outWidth);
          if (first >= end) continue;
          const xStart = xRow + <usize>(first * strideW + shift) * pixelBytes;
          const dyStart = dyRow + <usize>first * pixelBytes;
          const sums = scratch + (<usize>((i * kw + j) * channels) << 3);
          let c: usize = 0;
          for (; c + 64 <= pixelBytes; c += 64) {
            let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
            let p = xStart + c, q = dyStart + c;
            for (let o = first; o < end; o++) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load(p), v128.load(q)));
              a1 = f32x4.add(a1, f32x4.mul(v128.load(p, 16), v128.load(q, 16)));
              a2 = f32x4.add(a2, f32x4.mul(v128.load(p, 32), v128.load(q, 32)));
              a3 = f32x4.add(a3, f32x4.mul(v128.load(p, 48), v128.load(q, 48)));
              p += xStep;
              q += pixelBytes;
            }
            const s = sums + (c << 1);
            addToDoubles(s, a0);
            addToDoubles(s + 32, a1);
            addToDoubles(s + 64, a2);
            addToDoubles(s + 96, a3);
          }
          for (; c < pixelBytes; c += 16) {
            let a = f32x4.splat(0);
            let p = xStart + c, q = dyStart + c;
            for (let o = first; o < end; o++) {
              a = f32x4.add(a, f32x4.mul(v128.load(p), v128.load(q)));
              p += xStep;
              q += pixelBytes;
            }
            addToDoubles(sums + (c << 1), a);
          }
        }
      }
    }
  }
  const count = taps * channels;
  for (let k = 0; k < count; k++) store<f32>(dw + (<usize>k << 2), <f32>load<f64>(scratch + (<usize>k << 3)));
}

/** The outputs o in [0, outSize) whose window (o * stride - pad .. + kernel - 1) holds input p: [first, last]. */
@inline function firstOutput(p: i32, pad: i32, kernel: i32, stride: i32): i32 {
  const lowest = p + pad - kernel + 1; // o * stride >= lowest
  if (lowest <= 0) return 0;
  return stride == 1 ? lowest : (lowest + stride - 1) / stride; // per pixel: no division at stride 1
}

@inline function lastOutput(p: i32, pad: i32, stride: i32, outSize: i32): i32 {
  return min(outSize - 1, stride == 1 ? p + pad : (p + pad) / stride); // p + pad >= 0: padding before is never negative
}

/**
 * dx[n, iy, ix, c] = sum over the output pixels (oy, ox) whose window holds (iy, ix), with
 * tap i = iy + top - oy * strideH, j = ix + left - ox * strideW, of dy[n, oy, ox, c] * w[i, j, c].
 * Gathered: each dx vector is summed in registers (float32, at most kh * kw terms, output
 * rows then columns in increasing order) and stored once, so dx needs no zeroing.
 * dy: [batch, outHeight, outWidth, channels]; w: [kh, kw, channels]; dx: [batch, height, width, channels].
 */
export function depthwiseInput(
  dy: usize, w: usize, batch: i32, height: i32, width: i32, channels: i32, kh: i32, kw: i32,
  strideH: i32, strideW: i32, top: i32, left: i32, outHeight: i32, outWidth: i32, dx: usize,
): void {
  const pixelBytes = <usize>channels << 2;
  const outRowBytes = pixelBytes * <usize>outWidth;
  const wRowBytes = pixelBytes * <usize>kw;
  const dyStepY = outRowBytes, wStepY = wRowBytes * <usize>strideH; // next output row: tap row - strideH
  const wStepX = pixelBytes * <usize>strideW; // next output column: tap column - strideW
  let out = dx;
  for (let n = 0; n < batch; n++) {
    const image = dy + <usize>(n * outHeight) * outRowBytes;
    for (let iy = 0; iy < height; iy++) {
      const oy0 = firstOutput(iy, top, kh, strideH);
      const oy1 = lastOutput(iy, top, strideH, outHeight);
      for (let ix = 0; ix < width; ix++) {
        const ox0 = firstOutput(ix, left, kw, strideW);
        const ox1 = lastOutput(ix, left, strideW, outWidth);
        // The first (oy0, ox0) pair's dy pixel and tap; rows and columns step from there.
        const dyFirst = image + <usize>oy0 * outRowBytes + <usize>ox0 * pixelBytes;
        const wFirst = w + <usize>(iy + top - oy0 * strideH) * wRowBytes + <usize>(ix + left - ox0 * strideW) * pixelBytes;
        let c: usize = 0;
        for (; c + 64 <= pixelBytes; c += 64) {
          let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
          let dyRow = dyFirst + c, wRow = wFirst + c;
          for (let oy = oy0; oy <= oy1; oy++) {
            let q = dyRow, t = wRow;
            for (let ox = ox0; ox <= ox1; ox++) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load(q), v128.load(t)));
              a1 = f32x4.add(a1, f32x4.mul(v128.load(q, 16), v128.load(t, 16)));
              a2 = f32x4.add(a2, f32x4.mul(v128.load(q, 32), v128.load(t, 32)));
              a3 = f32x4.add(a3, f32x4.mul(v128.load(q, 48), v128.load(t, 48)));
              q += pixelBytes;
              t -= wStepX;
            }
            dyRow += dyStepY;
            wRow -= wStepY;
          }
          v128.store(out + c, a0);
          v128.store(out + c, a1, 16);
          v128.store(out + c, a2, 32);
          v128.store(out + c, a3, 48);
        }
        for (; c < pixelBytes; c += 16) {
          let a = f32x4.splat(0);
          let dyRow = dyFirst + c, wRow = wFirst + c;
          for (let oy = oy0; oy <= oy1; oy++) {
            let q = dyRow, t = wRow;
            for (let ox = ox0; ox <= ox1; ox++) {
              a = f32x4.add(a, f32x4.mul(v128.load(q), v128.load(t)));
              q += pixelBytes;
              t -= wStepX;
            }
            dyRow += dyStepY;
            wRow -= wStepY;
          }
          v128.store(out + c, a);
        }
        out += pixelBytes;
      }
    }
  }
}
