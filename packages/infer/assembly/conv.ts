// Convolution rows, vectorised over blocks of 16 output channels (4 x f32x4).
import { mulAdd, relu } from "./simd";

@inline function store16(out: usize, a0: v128, a1: v128, a2: v128, a3: v128, activate: bool): void {
  if (activate) {
    a0 = relu(a0); a1 = relu(a1); a2 = relu(a2); a3 = relu(a3);
  }
  v128.store(out, a0); v128.store(out, a1, 16); v128.store(out, a2, 32); v128.store(out, a3, 48);
}

/**
 * One output row of a convolution for one block of 16 output channels, plus bias, then ReLU
 * if `activate` (conv2's Winograd products use it without, on a "row" of tiles).
 *
 * The input is NHWC and already zero-padded (TF "SAME"), so the part of a window that lies in
 * one input row is `taps` contiguous floats (kernel * inputChannels) and no bounds checks are
 * needed. Weights are packed [kernelRows][taps][16]. Two output pixels are computed together so
 * each weight vector that is loaded feeds both; their 8 accumulators stay in registers.
 *
 * src: the first float of output pixel 0's window; rowBytes: bytes between input rows;
 * pixelStep: bytes between the windows of neighbouring output pixels (stride * channels * 4);
 * taps: a multiple of 4; dst: output pixel 0's first channel of this block; dstStep: bytes
 * between neighbouring output pixels.
 */
export function convRow16(
  src: usize, rowBytes: usize, kernelRows: i32, taps: i32, pixelStep: usize, count: i32,
  w: usize, bias: usize, dst: usize, dstStep: usize, activate: bool,
): void {
  const b0 = v128.load(bias), b1 = v128.load(bias, 16), b2 = v128.load(bias, 32), b3 = v128.load(bias, 48);
  const rowWeightBytes = <usize>taps << 6;
  let ox = 0;
  for (; ox + 2 <= count; ox += 2) {
    let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
    let c0 = b0, c1 = b1, c2 = b2, c3 = b3;
    let row = src + <usize>ox * pixelStep;
    let wp = w;
    for (let ky = 0; ky < kernelRows; ky++) {
      let p = row;
      let q = row + pixelStep;
      const rowEnd = wp + rowWeightBytes;
      do {
        const x = v128.load32_splat(p), y = v128.load32_splat(q);
        let v = v128.load(wp);
        a0 = mulAdd(a0, x, v); c0 = mulAdd(c0, y, v); v = v128.load(wp, 16);
        a1 = mulAdd(a1, x, v); c1 = mulAdd(c1, y, v); v = v128.load(wp, 32);
        a2 = mulAdd(a2, x, v); c2 = mulAdd(c2, y, v); v = v128.load(wp, 48);
        a3 = mulAdd(a3, x, v); c3 = mulAdd(c3, y, v);
        p += 4; q += 4; wp += 64;
      } while (wp < rowEnd);
      row += rowBytes;
    }
    store16(dst + <usize>ox * dstStep, a0, a1, a2, a3, activate);
    store16(dst + <usize>(ox + 1) * dstStep, c0, c1, c2, c3, activate);
  }
  if (ox < count) {
    // Odd row length: the last pixel alone.
    let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
    let row = src + <usize>ox * pixelStep;
    let wp = w;
    for (let ky = 0; ky < kernelRows; ky++) {
      let p = row;
      const rowEnd = wp + rowWeightBytes;
      do {
        const x = v128.load32_splat(p);
        a0 = mulAdd(a0, x, v128.load(wp)); a1 = mulAdd(a1, x, v128.load(wp, 16));
        a2 = mulAdd(a2, x, v128.load(wp, 32)); a3 = mulAdd(a3, x, v128.load(wp, 48));
        p += 4; wp += 64;
      } while (wp < rowEnd);
      row += rowBytes;
    }
    store16(dst + <usize>ox * dstStep, a0, a1, a2, a3, activate);
  }
}
