// Direct convolutions, NHWC, filters [kh, kw, C, F] with F a multiple of 4. Each image is
// first copied into a zero-bordered buffer (pad.ts), so the part of a window in one input row
// is kw * C contiguous floats ("taps", in the filter's [kw, C] order) and needs no bounds checks.
//   forward:         y[n, oy, ox, f] = sum over (ky, t) of xp[n, oy*sh + ky, ox*sw*C + t] * w[ky, t, f]
//   filter gradient: dw[ky, t, f]    = sum over (n, oy, ox) of xp[n, oy*sh + ky, ox*sw*C + t] * dy[n, oy, ox, f]
// Both vectorise over 4 or 8 filters and keep 8 accumulators in registers. Written for
// MicroExpNet's conv1 (C = 1, where XNNPACK is slowest), they serve any channel count. The forward pass
// optionally adds a bias and applies ReLU as it stores (tfjs's FusedConv2D).
import { padImage } from "./pad";

@inline function mulAdd(acc: v128, a: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(a, b));
}

@inline function finish(a: v128, bias: v128, activate: bool): v128 {
  const v = f32x4.add(a, bias);
  return activate ? f32x4.max(v, f32x4.splat(0)) : v;
}

/**
 * Forward convolution, plus bias[f] if bias != 0, then ReLU if activate.
 * scratch: (paddedHeight * paddedWidth + max(paddedWidth, strideW)) * channels floats (forwardRow16
 * may read one stride past the last row), where
 * paddedHeight = (outHeight - 1) * strideH + kh and paddedWidth = (outWidth - 1) * strideW + kw.
 */
export function convForward(
  x: usize, batch: i32, height: i32, width: i32, channels: i32, w: usize, filters: i32, kh: i32, kw: i32,
  strideH: i32, strideW: i32, top: i32, left: i32, outHeight: i32, outWidth: i32, bias: usize, activate: bool,
  y: usize, scratch: usize,
): void {
  const dstStep = <usize>filters << 2;
  const dstRowBytes = <usize>outWidth * dstStep;
  convForwardInto(x, batch, (<usize>height * <usize>width * <usize>channels) << 2, height, width, channels, w, filters, kh, kw,
    strideH, strideW, top, left, outHeight, outWidth, bias, activate, y, dstStep, dstRowBytes, dstRowBytes * <usize>outHeight, scratch);
}

/**
 * convForward on images imageBytes apart (they may be taller than the `height` rows used),
 * writing output pixel (n, oy, ox) at y + n * dstImageBytes + oy * dstRowBytes + ox * dstStep:
 * one stride phase of a transposed convolution writes straight into its interleaved place in
 * the input gradient.
 */
export function convForwardInto(
  x: usize, batch: i32, imageBytes: usize, height: i32, width: i32, channels: i32, w: usize, filters: i32, kh: i32, kw: i32,
  strideH: i32, strideW: i32, top: i32, left: i32, outHeight: i32, outWidth: i32, bias: usize, activate: bool,
  y: usize, dstStep: usize, dstRowBytes: usize, dstImageBytes: usize, scratch: usize,
): void {
  const paddedHeight = (outHeight - 1) * strideH + kh;
  const paddedWidth = (outWidth - 1) * strideW + kw;
  memory.fill(scratch, 0, (<usize>paddedHeight * <usize>paddedWidth * <usize>channels) << 2);
  const pixelBytes = <usize>filters << 2; // weights of one tap
  const inRowBytes = (<usize>paddedWidth * <usize>channels) << 2;
  const colStep = (<usize>strideW * <usize>channels) << 2;
  const taps = kw * channels;
  for (let n = 0; n < batch; n++) {
    padImage(x + <usize>n * imageBytes, height, width, channels, scratch, paddedHeight, paddedWidth, top, left);
    const image = y + <usize>n * dstImageBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const src = scratch + <usize>(oy * strideH) * inRowBytes;
      const dst = image + <usize>oy * dstRowBytes;
      if ((filters & 15) == 0) {
        for (let f = 0; f < filters; f += 16) forwardRow16(src, inRowBytes, colStep, kh, taps, w + (<usize>f << 2), pixelBytes, outWidth, dst + (<usize>f << 2), dstStep, bias ? bias + (<usize>f << 2) : 0, activate);
      } else if ((filters & 7) == 0) {
        for (let f = 0; f < filters; f += 8) forwardRow8(src, inRowBytes, colStep, kh, taps, w + (<usize>f << 2), pixelBytes, outWidth, dst + (<usize>f << 2), dstStep, bias ? bias + (<usize>f << 2) : 0, activate);
      } else {
        for (let f = 0; f < filters; f += 4) forwardRow4(src, inRowBytes, colStep, kh, taps, w + (<usize>f << 2), pixelBytes, outWidth, dst + (<usize>f << 2), dstStep, bias ? bias + (<usize>f << 2) : 0, activate);
      }
    }
  }
}

/** One output row, one group of 8 filters (taps: floats of a window row): 4 pixels at a time (8 accumulators), then the rest one by one. */
function forwardRow8(
  src: usize, inRowBytes: usize, colStep: usize, kh: i32, taps: i32, w: usize, pixelBytes: usize, count: i32, dst: usize, dstStep: usize,
  bias: usize, activate: bool,
): void {
  const zero = f32x4.splat(0);
  const bias0 = bias ? v128.load(bias) : zero, bias1 = bias ? v128.load(bias, 16) : zero;
  const tapBytes = pixelBytes; // weights of one tap: F floats
  const c1 = colStep, c2 = colStep * 2, c3 = colStep * 3;
  let ox = 0;
  for (; ox + 4 <= count; ox += 4) {
    let a0 = f32x4.splat(0), a1 = a0, b0 = a0, b1 = a0, d0 = a0, d1 = a0, e0 = a0, e1 = a0;
    let row = src + <usize>ox * colStep;
    let wp = w;
    for (let ky = 0; ky < kh; ky++) {
      let p = row;
      for (let kx = 0; kx < taps; kx++) {
        const v0 = v128.load(wp), v1 = v128.load(wp, 16);
        let s = v128.load32_splat(p);
        a0 = mulAdd(a0, s, v0); a1 = mulAdd(a1, s, v1);
        s = v128.load32_splat(p + c1);
        b0 = mulAdd(b0, s, v0); b1 = mulAdd(b1, s, v1);
        s = v128.load32_splat(p + c2);
        d0 = mulAdd(d0, s, v0); d1 = mulAdd(d1, s, v1);
        s = v128.load32_splat(p + c3);
        e0 = mulAdd(e0, s, v0); e1 = mulAdd(e1, s, v1);
        p += 4;
        wp += tapBytes;
      }
      row += inRowBytes;
    }
    const out = dst + <usize>ox * dstStep;
    v128.store(out, finish(a0, bias0, activate)); v128.store(out, finish(a1, bias1, activate), 16);
    v128.store(out + dstStep, finish(b0, bias0, activate)); v128.store(out + dstStep, finish(b1, bias1, activate), 16);
    v128.store(out + dstStep * 2, finish(d0, bias0, activate)); v128.store(out + dstStep * 2, finish(d1, bias1, activate), 16);
    v128.store(out + dstStep * 3, finish(e0, bias0, activate)); v128.store(out + dstStep * 3, finish(e1, bias1, activate), 16);
  }
  for (; ox < count; ox++) {
    let a0 = f32x4.splat(0), a1 = a0;
    let row = src + <usize>ox * colStep;
    let wp = w;
    for (let ky = 0; ky < kh; ky++) {
      let p = row;
      for (let kx = 0; kx < taps; kx++) {
        const s = v128.load32_splat(p);
        a0 = mulAdd(a0, s, v128.load(wp)); a1 = mulAdd(a1, s, v128.load(wp, 16));
        p += 4;
        wp += tapBytes;
      }
      row += inRowBytes;
    }
    const out = dst + <usize>ox * dstStep;
    v128.store(out, finish(a0, bias0, activate)); v128.store(out, finish(a1, bias1, activate), 16);
  }
}

/**
 * One output row, one group of 16 filters: 2 pixels at a time (8 accumulators; measured 15 %
 * faster than forwardRow8 at MicroExpNet's conv1). An odd last pixel is computed in pair with
 * a phantom one past the row, which reads up to one stride past the image (the host allocates
 * it) and is not stored.
 */
function forwardRow16(
  src: usize, inRowBytes: usize, colStep: usize, kh: i32, taps: i32, w: usize, pixelBytes: usize, count: i32, dst: usize, dstStep: usize,
  bias: usize, activate: bool,
): void {
  const zero = f32x4.splat(0);
  const q0 = bias ? v128.load(bias) : zero, q1 = bias ? v128.load(bias, 16) : zero;
  const q2 = bias ? v128.load(bias, 32) : zero, q3 = bias ? v128.load(bias, 48) : zero;
  let ox = 0;
  for (; ox < count; ox += 2) {
    const two = ox + 1 < count;
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero, c0 = zero, c1 = zero, c2 = zero, c3 = zero;
    let row = src + <usize>ox * colStep;
    let wp = w;
    for (let ky = 0; ky < kh; ky++) {
      let p = row;
      let q = row + colStep;
      const end = wp + <usize>taps * pixelBytes;
      do {
        const x = v128.load32_splat(p), y = v128.load32_splat(q);
        let v = v128.load(wp);
        a0 = mulAdd(a0, x, v); c0 = mulAdd(c0, y, v); v = v128.load(wp, 16);
        a1 = mulAdd(a1, x, v); c1 = mulAdd(c1, y, v); v = v128.load(wp, 32);
        a2 = mulAdd(a2, x, v); c2 = mulAdd(c2, y, v); v = v128.load(wp, 48);
        a3 = mulAdd(a3, x, v); c3 = mulAdd(c3, y, v);
        p += 4; q += 4; wp += pixelBytes;
      } while (wp < end);
      row += inRowBytes;
    }
    const out = dst + <usize>ox * dstStep;
    v128.store(out, finish(a0, q0, activate)); v128.store(out, finish(a1, q1, activate), 16);
    v128.store(out, finish(a2, q2, activate), 32); v128.store(out, finish(a3, q3, activate), 48);
    if (two) {
      v128.store(out + dstStep, finish(c0, q0, activate)); v128.store(out + dstStep, finish(c1, q1, activate), 16);
      v128.store(out + dstStep, finish(c2, q2, activate), 32); v128.store(out + dstStep, finish(c3, q3, activate), 48);
    }
  }
}

/** As forwardRow8 for a group of 4 filters (F a multiple of 4 but not of 8). */
function forwardRow4(
  src: usize, inRowBytes: usize, colStep: usize, kh: i32, taps: i32, w: usize, pixelBytes: usize, count: i32, dst: usize, dstStep: usize,
  bias: usize, activate: bool,
): void {
  const b = bias ? v128.load(bias) : f32x4.splat(0);
  const c1 = colStep, c2 = colStep * 2, c3 = colStep * 3;
  let ox = 0;
  for (; ox + 4 <= count; ox += 4) {
    let a = f32x4.splat(0), c = a, d = a, e = a;
    let row = src + <usize>ox * colStep;
    let wp = w;
    for (let ky = 0; ky < kh; ky++) {
      let p = row;
      for (let kx = 0; kx < taps; kx++) {
        const v = v128.load(wp);
        a = mulAdd(a, v128.load32_splat(p), v);
        c = mulAdd(c, v128.load32_splat(p + c1), v);
        d = mulAdd(d, v128.load32_splat(p + c2), v);
        e = mulAdd(e, v128.load32_splat(p + c3), v);
        p += 4;
        wp += pixelBytes;
      }
      row += inRowBytes;
    }
    const out = dst + <usize>ox * dstStep;
    v128.store(out, finish(a, b, activate)); v128.store(out + dstStep, finish(c, b, activate));
    v128.store(out + dstStep * 2, finish(d, b, activate)); v128.store(out + dstStep * 3, finish(e, b, activate));
  }
  for (; ox < count; ox++) {
    let a = f32x4.splat(0);
    let row = src + <usize>ox * colStep;
    let wp = w;
    for (let ky = 0; ky < kh; ky++) {
      let p = row;
      for (let kx = 0; kx < taps; kx++) {
        a = mulAdd(a, v128.load32_splat(p), v128.load(wp));
        p += 4;
        wp += pixelBytes;
      }
      row += inRowBytes;
    }
    v128.store(dst + <usize>ox * dstStep, finish(a, b, activate));
  }
}

/**
 * Filter gradient, written to dw ([kh, kw, C, F]). scratch: the padded image
 * (as convForward) followed, 16-byte aligned, by kh * kw * C * F floats (one image's sums) and
 * as many doubles (the batch's sums: 113,000 products per weight at MicroExpNet's size,
 * so images are summed in double precision).
 */
export function convFilter(
  x: usize, batch: i32, height: i32, width: i32, channels: i32, dy: usize, filters: i32, kh: i32, kw: i32,
  strideH: i32, strideW: i32, top: i32, left: i32, outHeight: i32, outWidth: i32, dw: usize, scratch: usize,
): void {
  const paddedHeight = (outHeight - 1) * strideH + kh;
  const paddedWidth = (outWidth - 1) * strideW + kw;
  const paddedBytes = (<usize>paddedHeight * <usize>paddedWidth * <usize>channels) << 2;
  const taps = kw * channels;
  const weights = <usize>(kh * taps * filters);
  const imageSums = scratch + ((paddedBytes + 15) & ~(<usize>15));
  const batchSums = imageSums + (weights << 2);
  memory.fill(scratch, 0, paddedBytes);
  memory.fill(batchSums, 0, weights << 3);
  const imageBytes = (<usize>height * <usize>width * <usize>channels) << 2;
  const pixelBytes = <usize>filters << 2;
  const rowBytes = <usize>outWidth * pixelBytes;
  const inRowBytes = (<usize>paddedWidth * <usize>channels) << 2;
  const colStep = (<usize>strideW * <usize>channels) << 2;
  const tapRowBytes = <usize>taps * pixelBytes; // one kernel row of the gradient
  for (let n = 0; n < batch; n++) {
    padImage(x + <usize>n * imageBytes, height, width, channels, scratch, paddedHeight, paddedWidth, top, left);
    memory.fill(imageSums, 0, weights << 2);
    const image = dy + <usize>n * <usize>outHeight * rowBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const grads = image + <usize>oy * rowBytes;
      for (let ky = 0; ky < kh; ky++) {
        const src = scratch + <usize>(oy * strideH + ky) * inRowBytes;
        const sums = imageSums + <usize>ky * tapRowBytes;
        if ((filters & 7) == 0) {
          for (let f = 0; f < filters; f += 8) filterRow8(src, colStep, taps, grads + (<usize>f << 2), pixelBytes, outWidth, sums + (<usize>f << 2));
        } else {
          for (let f = 0; f < filters; f += 4) filterRow4(src, colStep, taps, grads + (<usize>f << 2), pixelBytes, outWidth, sums + (<usize>f << 2));
        }
      }
    }
    for (let i: usize = 0; i < weights; i += 2) {
      const p = batchSums + (i << 3);
      v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v128.load64_zero(imageSums + (i << 2)))));
    }
  }
  for (let i: usize = 0; i < weights; i++) {
    store<f32>(dw + (i << 2), <f32>load<f64>(batchSums + (i << 3)));
  }
}

/**
 * One output row's contribution to one kernel row of the gradient, for one group of
 * 8 filters: 4 taps at a time (8 accumulators), then the remaining taps one by one.
 * src: the padded input row that kernel row reads; grads: dy of the output row; sums: the
 * gradient of tap 0 of this kernel row (taps F floats apart).
 */
function filterRow8(src: usize, colStep: usize, taps: i32, grads: usize, pixelBytes: usize, count: i32, sums: usize): void {
  let kx = 0;
  for (; kx + 4 <= taps; kx += 4) {
    const s0 = sums + <usize>kx * pixelBytes;
    const s1 = s0 + pixelBytes, s2 = s1 + pixelBytes, s3 = s2 + pixelBytes;
    let a0 = v128.load(s0), a1 = v128.load(s0, 16), b0 = v128.load(s1), b1 = v128.load(s1, 16);
    let d0 = v128.load(s2), d1 = v128.load(s2, 16), e0 = v128.load(s3), e1 = v128.load(s3, 16);
    let p = src + (<usize>kx << 2);
    let g = grads;
    for (let ox = 0; ox < count; ox++) {
      const g0 = v128.load(g), g1 = v128.load(g, 16);
      let s = v128.load32_splat(p);
      a0 = mulAdd(a0, s, g0); a1 = mulAdd(a1, s, g1);
      s = v128.load32_splat(p, 4);
      b0 = mulAdd(b0, s, g0); b1 = mulAdd(b1, s, g1);
      s = v128.load32_splat(p, 8);
      d0 = mulAdd(d0, s, g0); d1 = mulAdd(d1, s, g1);
      s = v128.load32_splat(p, 12);
      e0 = mulAdd(e0, s, g0); e1 = mulAdd(e1, s, g1);
      p += colStep;
      g += pixelBytes;
    }
    v128.store(s0, a0); v128.store(s0, a1, 16); v128.store(s1, b0); v128.store(s1, b1, 16);
    v128.store(s2, d0); v128.store(s2, d1, 16); v128.store(s3, e0); v128.store(s3, e1, 16);
  }
  for (; kx < taps; kx++) {
    const s0 = sums + <usize>kx * pixelBytes;
    let a0 = v128.load(s0), a1 = v128.load(s0, 16);
    let p = src + (<usize>kx << 2);
    let g = grads;
    for (let ox = 0; ox < count; ox++) {
      const s = v128.load32_splat(p);
      a0 = mulAdd(a0, s, v128.load(g)); a1 = mulAdd(a1, s, v128.load(g, 16));
      p += colStep;
      g += pixelBytes;
    }
    v128.store(s0, a0); v128.store(s0, a1, 16);
  }
}

/** As filterRow8 for a group of 4 filters. */
function filterRow4(src: usize, colStep: usize, taps: i32, grads: usize, pixelBytes: usize, count: i32, sums: usize): void {
  let kx = 0;
  for (; kx + 4 <= taps; kx += 4) {
    const s0 = sums + <usize>kx * pixelBytes;
    const s1 = s0 + pixelBytes, s2 = s1 + pixelBytes, s3 = s2 + pixelBytes;
    let a = v128.load(s0), b = v128.load(s1), d = v128.load(s2), e = v128.load(s3);
    let p = src + (<usize>kx << 2);
    let g = grads;
    for (let ox = 0; ox < count; ox++) {
      const v = v128.load(g);
      a = mulAdd(a, v128.load32_splat(p), v);
      b = mulAdd(b, v128.load32_splat(p, 4), v);
      d = mulAdd(d, v128.load32_splat(p, 8), v);
      e = mulAdd(e, v128.load32_splat(p, 12), v);
      p += colStep;
      g += pixelBytes;
    }
    v128.store(s0, a); v128.store(s1, b); v128.store(s2, d); v128.store(s3, e);
  }
  for (; kx < taps; kx++) {
    const s0 = sums + <usize>kx * pixelBytes;
    let a = v128.load(s0);
    let p = src + (<usize>kx << 2);
    let g = grads;
    for (let ox = 0; ox < count; ox++) {
      a = mulAdd(a, v128.load32_splat(p), v128.load(g));
      p += colStep;
      g += pixelBytes;
    }
    v128.store(s0, a);
  }
}
