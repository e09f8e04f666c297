// Dense layers. Weights are [inputs][width] row-major with width padded to a multiple of 16
// (zero columns), so the output can be vectorised without remainders.
import { horizontalSum, mulAdd, relu } from "./simd";

/**
 * ReLU(x W + b) for four images at once (a small GEMM), for `columns` (a multiple of 8) of W's
 * columns starting at w / bias / out: each weight vector that is loaded is used four times.
 * x: image k's inputs start at x + k * xStride; out likewise with outStride; wRowBytes: W's row length.
 */
export function denseRelu4(
  x: usize, xStride: usize, inputs: i32, w: usize, wRowBytes: usize, columns: i32, bias: usize, out: usize, outStride: usize,
): void {
  const x1 = xStride, x2 = xStride << 1, x3 = xStride * 3;
  for (let j = 0; j < columns; j += 8) {
    const jb = <usize>j << 2;
    const bLo = v128.load(bias + jb), bHi = v128.load(bias + jb, 16);
    let a0 = bLo, a1 = bHi, b0 = bLo, b1 = bHi, c0 = bLo, c1 = bHi, d0 = bLo, d1 = bHi;
    let xp = x;
    let wp = w + jb;
    for (let i = 0; i < inputs; i++) {
      const lo = v128.load(wp), hi = v128.load(wp, 16);
      let s = v128.load32_splat(xp);
      a0 = mulAdd(a0, s, lo); a1 = mulAdd(a1, s, hi);
      s = v128.load32_splat(xp + x1);
      b0 = mulAdd(b0, s, lo); b1 = mulAdd(b1, s, hi);
      s = v128.load32_splat(xp + x2);
      c0 = mulAdd(c0, s, lo); c1 = mulAdd(c1, s, hi);
      s = v128.load32_splat(xp + x3);
      d0 = mulAdd(d0, s, lo); d1 = mulAdd(d1, s, hi);
      xp += 4;
      wp += wRowBytes;
    }
    let o = out + jb;
    v128.store(o, relu(a0)); v128.store(o, relu(a1), 16); o += outStride;
    v128.store(o, relu(b0)); v128.store(o, relu(b1), 16); o += outStride;
    v128.store(o, relu(c0)); v128.store(o, relu(c1), 16); o += outStride;
    v128.store(o, relu(d0)); v128.store(o, relu(d1), 16);
  }
}

/**
 * ReLU(x W + b) for one image. ReLU features are often zero, so the non-zero inputs are
 * gathered first (branch-free) into scratch as (weight row offset, value) pairs and only their
 * weight rows are read.
 */
export function denseRelu1(x: usize, inputs: i32, w: usize, width: i32, bias: usize, out: usize, scratch: usize): void {
  const wRowBytes = <u32>width << 2;
  let kept: usize = 0;
  for (let i = 0; i < inputs; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    const entry = scratch + (kept << 3);
    store<u32>(entry, <u32>i * wRowBytes);
    store<f32>(entry, v, 4);
    kept += <usize>(v != 0);
  }
  const end = scratch + (kept << 3);
  for (let j = 0; j < width; j += 16) {
    const jb = <usize>j << 2;
    let a0 = v128.load(bias + jb), a1 = v128.load(bias + jb, 16), a2 = v128.load(bias + jb, 32), a3 = v128.load(bias + jb, 48);
    const wj = w + jb;
    for (let e = scratch; e < end; e += 8) {
      const s = v128.load32_splat(e, 4);
      const row = wj + <usize>load<u32>(e);
      a0 = mulAdd(a0, s, v128.load(row)); a1 = mulAdd(a1, s, v128.load(row, 16));
      a2 = mulAdd(a2, s, v128.load(row, 32)); a3 = mulAdd(a3, s, v128.load(row, 48));
    }
    const o = out + jb;
    v128.store(o, relu(a0)); v128.store(o, relu(a1), 16); v128.store(o, relu(a2), 32); v128.store(o, relu(a3), 48);
  }
}

/**
 * Logits h W + b with W stored transposed ([classes][width]), so each logit is one dot product
 * over the (padded, multiple of 16) hidden width.
 */
export function denseLogits(h: usize, width: i32, wT: usize, bias: usize, classes: i32, out: usize): void {
  const rowBytes = <usize>width << 2;
  let row = wT;
  for (let c = 0; c < classes; c++) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
    for (let i: usize = 0; i < rowBytes; i += 32) {
      s0 = mulAdd(s0, v128.load(h + i), v128.load(row + i));
      s1 = mulAdd(s1, v128.load(h + i, 16), v128.load(row + i, 16));
    }
    const off = <usize>c << 2;
    store<f32>(out + off, horizontalSum(f32x4.add(s0, s1)) + load<f32>(bias + off));
    row += rowBytes;
  }
}
