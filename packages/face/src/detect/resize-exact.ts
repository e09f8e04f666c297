import { roundHalfEven } from "@microexp/infer";

// OpenCV's INTER_LINEAR_EXACT resize on 8-bit one-channel images, the resize its cascade
// detector uses to build the image pyramid: weights with 8 fractional bits (computed in
// double, rounded half to even), the two horizontal taps summed exactly, the vertical pass
// rounded half up from 16 fractional bits, and samples beyond the edges copy the edge.

/** Per-axis tables of the exact resize (shared with the WebAssembly kernel, which takes them as input). */
export interface Axis {
  /** First source index per destination index. */
  readonly index: Int32Array;
  readonly w0: Int32Array;
  readonly w1: Int32Array;
  /** Destination indices below `start` copy source 0; from `end` on they copy the last source. */
  readonly start: number;
  readonly end: number;
}

function axis(srcSize: number, dstSize: number): Axis {
  const scale = 1 / (dstSize / srcSize);
  const index = new Int32Array(dstSize), w0 = new Int32Array(dstSize), w1 = new Int32Array(dstSize);
  let start = 0, end = dstSize;
  for (let d = 0; d < dstSize; d++) {
    const f = scale * (d + 0.5) - 0.5;
    const i = Math.floor(f);
    if (i < 0 || srcSize === 1) {
      start = Math.max(start, d + 1);
    } else if (i < srcSize - 1) {
      index[d] = i;
      w1[d] = roundHalfEven((f - i) * 256);
      w0[d] = 256 - w1[d];
    } else {
      index[d] = srcSize - 1;
      end = Math.min(end, d);
    }
  }
  return { index, w0, w1, start, end };
}

const axisCache = new Map<string, Axis>();
const AXIS_CACHE_LIMIT = 128;

/** The tables for resizing one axis from srcSize to dstSize (cached). */
export function cachedAxis(srcSize: number, dstSize: number): Axis {
  const key = `${srcSize}:${dstSize}`;
  let a = axisCache.get(key);
  if (!a) {
    if (axisCache.size >= AXIS_CACHE_LIMIT) axisCache.clear();
    a = axis(srcSize, dstSize);
    axisCache.set(key, a);
  }
  return a;
}

/** One source row resampled horizontally, 8 fractional bits. */
function horizontal(src: Uint8Array, base: number, srcWidth: number, cols: Axis, out: Int32Array): void {
  const { index, w0, w1, start, end } = cols;
  const first = src[base] << 8, last = src[base + srcWidth - 1] << 8;
  let x = 0;
  for (; x < start; x++) out[x] = first;
  for (; x < end; x++) {
    const s = base + index[x];
    out[x] = src[s] * w0[x] + src[s + 1] * w1[x];
  }
  for (; x < out.length; x++) out[x] = last;
}

/**
 * Resizes `src` (srcWidth x srcHeight, one byte per pixel) into `out` (width x height),
 * bit-exact with cv.resize(..., INTER_LINEAR_EXACT). Equal sizes are copied.
 */
export function resizeLinearExact(
  src: Uint8Array, srcWidth: number, srcHeight: number, out: Uint8Array, width: number, height: number,
): void {
  if (srcWidth === width && srcHeight === height) {
    out.set(src.subarray(0, width * height));
    return;
  }
  const cols = cachedAxis(srcWidth, width);
  const rows = cachedAxis(srcHeight, height);
  let upper = new Int32Array(width), lower = new Int32Array(width);
  let upperRow = -1, lowerRow = -1;
  for (let y = 0; y < height; y++) {
    const o = y * width;
    if (y < rows.start || y >= rows.end) {
      const edge = y < rows.start ? 0 : srcHeight - 1;
      horizontal(src, edge * srcWidth, srcWidth, cols, upper);
      upperRow = edge;
      for (let x = 0; x < width; x++) out[o + x] = (upper[x] + 128) >> 8;
      continue;
    }
    const r0 = rows.index[y], r1 = r0 + 1;
    if (r0 !== upperRow) {
      if (r0 === lowerRow) {
        [upper, lower] = [lower, upper];
        [upperRow, lowerRow] = [lowerRow, upperRow];
      } else {
        horizontal(src, r0 * srcWidth, srcWidth, cols, upper);
        upperRow = r0;
      }
    }
    if (r1 !== lowerRow) {
      horizontal(src, r1 * srcWidth, srcWidth, cols, lower);
      lowerRow = r1;
    }
    const b0 = rows.w0[y], b1 = rows.w1[y];
    for (let x = 0; x < width; x++) out[o + x] = (upper[x] * b0 + lower[x] * b1 + 32768) >>> 16;
  }
}
