import { checkImage, checkSize, grayImage } from "./check.js";
import { roundHalfEven } from "./round.js";
import type { GrayImage } from "./types.js";

// A bit-exact copy of OpenCV's cv.resize(..., INTER_LINEAR) on 8-bit one-channel images:
// weights are fixed point with 11 fractional bits (INTER_RESIZE_COEF_BITS), computed from
// float32 source coordinates as OpenCV does, and a 2x downscale in both axes switches to
// OpenCV's fast INTER_AREA path (the mean of each 2x2 block, rounded half up).

const COEF_BITS = 11;
const COEF_ONE = 1 << COEF_BITS;
const f32 = Math.fround;

/** Two-tap interpolation along one axis: dst[i] = src[i0[i]] * w0[i] + src[i1[i]] * w1[i]. */
export interface Taps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w0: Int32Array;
  readonly w1: Int32Array;
}

/** Taps for columns: OpenCV clamps the source coordinate itself at both edges. */
function columnTaps(srcSize: number, dstSize: number): Taps {
  const scale = 1 / (dstSize / srcSize);
  const i0 = new Int32Array(dstSize), i1 = new Int32Array(dstSize);
  const w0 = new Int32Array(dstSize), w1 = new Int32Array(dstSize);
  for (let d = 0; d < dstSize; d++) {
    let f = f32((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = f32(f - s);
    if (s < 0) {
      f = 0;
      s = 0;
    }
    if (s >= srcSize - 1) {
      f = 0;
      s = srcSize - 1;
    }
    i0[d] = s;
    i1[d] = Math.min(s + 1, srcSize - 1);
    w0[d] = roundHalfEven(f32(1 - f) * COEF_ONE);
    w1[d] = roundHalfEven(f * COEF_ONE);
  }
  return { i0, i1, w0, w1 };
}

/** Taps for rows: OpenCV keeps the weights and clamps only the row indices. */
function rowTaps(srcSize: number, dstSize: number): Taps {
  const scale = 1 / (dstSize / srcSize);
  const i0 = new Int32Array(dstSize), i1 = new Int32Array(dstSize);
  const w0 = new Int32Array(dstSize), w1 = new Int32Array(dstSize);
  const last = srcSize - 1;
  for (let d = 0; d < dstSize; d++) {
    let f = f32((d + 0.5) * scale - 0.5);
    const s = Math.floor(f);
    f = f32(f - s);
    i0[d] = Math.min(Math.max(s, 0), last);
    i1[d] = Math.min(Math.max(s + 1, 0), last);
    w0[d] = roundHalfEven(f32(1 - f) * COEF_ONE);
    w1[d] = roundHalfEven(f * COEF_ONE);
  }
  return { i0, i1, w0, w1 };
}

// Video frames and detector pyramids ask for the same few sizes again and again.
const tapCache = new Map<string, Taps>();
const TAP_CACHE_LIMIT = 128;

/**
 * The taps resizeBilinear uses along one axis ("col": x, "row": y) from srcSize to dstSize
 * pixels (cached; do not modify). Shared with the WebAssembly crop, which plans from them.
 */
export function cachedTaps(kind: "col" | "row", srcSize: number, dstSize: number): Taps {
  const key = `${kind}${srcSize}:${dstSize}`;
  let taps = tapCache.get(key);
  if (!taps) {
    if (tapCache.size >= TAP_CACHE_LIMIT) tapCache.clear();
    taps = kind === "col" ? columnTaps(srcSize, dstSize) : rowTaps(srcSize, dstSize);
    tapCache.set(key, taps);
  }
  return taps;
}

function isExactHalving(srcW: number, srcH: number, dstW: number, dstH: number): boolean {
  // OpenCV tests |scale - round(scale)| < DBL_EPSILON on scale = 1 / (dst / src).
  const sx = 1 / (dstW / srcW), sy = 1 / (dstH / srcH);
  const ix = roundHalfEven(sx), iy = roundHalfEven(sy);
  return ix === 2 && iy === 2 && Math.abs(sx - ix) < Number.EPSILON && Math.abs(sy - iy) < Number.EPSILON;
}

function halve(src: Uint8Array, srcW: number, out: Uint8Array, dstW: number, dstH: number): void {
  for (let y = 0; y < dstH; y++) {
    let p = 2 * y * srcW;
    let o = y * dstW;
    for (let x = 0; x < dstW; x++, p += 2, o++) {
      out[o] = (src[p] + src[p + 1] + src[p + srcW] + src[p + srcW + 1] + 2) >> 2;
    }
  }
}

function interpolateRow(src: Uint8Array, base: number, cols: Taps, out: Int32Array): void {
  const { i0, i1, w0, w1 } = cols;
  for (let x = 0; x < out.length; x++) {
    out[x] = src[base + i0[x]] * w0[x] + src[base + i1[x]] * w1[x];
  }
}

/**
 * Resizes a gray image with bilinear interpolation, bit-exact with OpenCV's
 * cv.resize(src, dst, new Size(width, height), 0, 0, INTER_LINEAR) on 8-bit images.
 * `into` (at least width * height bytes) is used for the output pixels when given.
 */
export function resizeBilinear(src: GrayImage, width: number, height: number, into?: Uint8Array): GrayImage {
  checkImage(src, "resizeBilinear source");
  checkSize(width, height, "resizeBilinear target");
  const n = width * height;
  if (into && into.length < n) {
    throw new RangeError(`resizeBilinear: output buffer has ${into.length} bytes, needs ${n}`);
  }
  const out = into ? into.subarray(0, n) : new Uint8Array(n);
  const { width: srcW, height: srcH, data } = src;
  if (srcW === width && srcH === height) {
    out.set(data);
    return grayImage(width, height, out);
  }
  if (isExactHalving(srcW, srcH, width, height)) {
    halve(data, srcW, out, width, height);
    return grayImage(width, height, out);
  }
  const cols = cachedTaps("col", srcW, width);
  const rows = cachedTaps("row", srcH, height);
  // Horizontal passes of the two source rows in use; consecutive output rows often share them.
  let upper = new Int32Array(width), lower = new Int32Array(width);
  let upperRow = -1, lowerRow = -1;
  for (let y = 0; y < height; y++) {
    const r0 = rows.i0[y], r1 = rows.i1[y];
    if (r0 !== upperRow) {
      if (r0 === lowerRow) {
        [upper, lower] = [lower, upper];
        [upperRow, lowerRow] = [lowerRow, upperRow];
      } else {
        interpolateRow(data, r0 * srcW, cols, upper);
        upperRow = r0;
      }
    }
    let second = upper;
    if (r1 !== r0) {
      if (r1 !== lowerRow) {
        interpolateRow(data, r1 * srcW, cols, lower);
        lowerRow = r1;
      }
      second = lower;
    }
    const b0 = rows.w0[y], b1 = rows.w1[y];
    const o = y * width;
    // OpenCV's 8-bit vertical pass: drop 4 bits, multiply, drop 16, then round off the last 2.
    for (let x = 0; x < width; x++) {
      out[o + x] = (((b0 * (upper[x] >> 4)) >> 16) + ((b1 * (second[x] >> 4)) >> 16) + 2) >> 2;
    }
  }
  return grayImage(width, height, out);
}
