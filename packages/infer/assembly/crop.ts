// The paper's crop (gray, face box -> 256x256 -> 224x224 window -> 84x84) as OpenCV computes
// it on 8-bit images, restricted to the pixels that are used: the host (src/wasm/crop-wasm.ts)
// plans which source rows and columns feed which outputs and passes the taps; these kernels
// gray the source pixels it copied in and run the two-tap resizes over the planned taps. Bit for
// bit the same arithmetic as src/image/gray.ts and src/image/resize.ts (the reference).

// OpenCV's RGB -> gray weights (15-bit fixed point) and rounding, as in src/image/gray.ts.
const R_WEIGHT: i32 = 9798;
const G_WEIGHT: i32 = 19235;
const B_WEIGHT: i32 = 3735;
const HALF: i32 = 1 << 14;

/**
 * Gray of four RGBA pixels, one per i32 lane: pmaddwd computes R*wr + G*wg and B*wb + A*0
 * per pixel; the two halves are then added.
 */
@inline function gray4(pixels: v128): v128 {
  const weights = i16x8(<i16>R_WEIGHT, <i16>G_WEIGHT, <i16>B_WEIGHT, 0, <i16>R_WEIGHT, <i16>G_WEIGHT, <i16>B_WEIGHT, 0);
  const low = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(pixels), weights);
  const high = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(pixels), weights);
  const sum = i32x4.add(i32x4.shuffle(low, high, 0, 2, 4, 6), i32x4.shuffle(low, high, 1, 3, 5, 7));
  return i32x4.shr_u(i32x4.add(sum, i32x4.splat(HALF)), 15);
}

/** Grays `count` contiguous pixels of `channels` (3 or 4) bytes at src into count bytes at dst. */
export function grayPixels(src: usize, channels: i32, count: i32, dst: usize): void {
  let i = 0;
  if (channels == 4) {
    for (; i + 16 <= count; i += 16) {
      const p = src + (<usize>i << 2);
      const low = i16x8.narrow_i32x4_u(gray4(v128.load(p)), gray4(v128.load(p, 16)));
      const high = i16x8.narrow_i32x4_u(gray4(v128.load(p, 32)), gray4(v128.load(p, 48)));
      v128.store(dst + <usize>i, i8x16.narrow_i16x8_u(low, high));
    }
  }
  for (; i < count; i++) {
    const p = src + <usize>(i * channels);
    const sum = <i32>load<u8>(p) * R_WEIGHT + <i32>load<u8>(p, 1) * G_WEIGHT + <i32>load<u8>(p, 2) * B_WEIGHT + HALF;
    store<u8>(dst + <usize>i, <u8>(sum >> 15));
  }
}

/**
 * Horizontal pass of one source row: out[x] = row[i0] * w0 + row[i1] * w1 for the taps
 * (i0, i1, w0, w1: four i32 per output column, i0 and i1 byte offsets into the row).
 */
function interpolateRow(row: usize, xTaps: usize, width: i32, out: usize): void {
  for (let x = 0; x < width; x++) {
    const t = xTaps + (<usize>x << 4);
    const value = <i32>load<u8>(row + <usize>load<i32>(t)) * load<i32>(t, 8) +
      <i32>load<u8>(row + <usize>load<i32>(t, 4)) * load<i32>(t, 12);
    store<i32>(out + (<usize>x << 2), value);
  }
}

/**
 * The same pass over grouped taps (src/wasm/crop-plan.ts, groupColumns): per 4 outputs, one
 * load of the 16 source bytes they read, a swizzle into (i0, i1) pairs, and pmaddwd with the
 * weights (pixels <= 255 and weights <= 2048 fit i16; each sum fits i32).
 */
function interpolateRowGrouped(row: usize, xTaps: usize, width: i32, out: usize): void {
  for (let x = 0; x < width; x += 4) {
    const t = xTaps + (<usize>x << 4);
    const pairs = i8x16.swizzle(v128.load(row + <usize>load<i32>(t)), v128.load(t, 16));
    v128.store(out + (<usize>x << 2), i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(pairs), v128.load(t, 32)));
  }
}

@inline function horizontalPass(row: usize, xTaps: usize, width: i32, grouped: bool, out: usize): void {
  if (grouped) interpolateRowGrouped(row, xTaps, width, out);
  else interpolateRow(row, xTaps, width, out);
}

/**
 * OpenCV's 8-bit INTER_LINEAR resize over planned taps. Output row y reads source rows
 * i0 and i1 (yTaps: four i32 per output row, i0, i1 row indices, w0, w1), each interpolated
 * along xTaps. `width` must be a multiple of 4 (the host pads the taps with zero weights).
 * Writes bytes (dstStride bytes apart) or, when `floats`, f32 values (dstStride bytes apart).
 * `upper` and `lower` hold width i32 each. With `grouped`, xTaps are in groups of 4 outputs
 * (interpolateRowGrouped), which may read up to 15 bytes past a row's last pixel.
 */
export function resampleTaps(
  src: usize, srcStride: usize, xTaps: usize, width: i32, grouped: bool, yTaps: usize, height: i32,
  dst: usize, dstStride: usize, floats: bool, upper: usize, lower: usize,
): void {
  let upperRow = -1, lowerRow = -1;
  for (let y = 0; y < height; y++) {
    const t = yTaps + (<usize>y << 4);
    const r0 = load<i32>(t), r1 = load<i32>(t, 4);
    // Consecutive output rows often share source rows: keep the last two passes.
    if (r0 != upperRow) {
      if (r0 == lowerRow) {
        const swap = upper; upper = lower; lower = swap;
        lowerRow = upperRow; upperRow = r0;
      } else {
        horizontalPass(src + <usize>r0 * srcStride, xTaps, width, grouped, upper);
        upperRow = r0;
      }
    }
    let second = upper;
    if (r1 != r0) {
      if (r1 != lowerRow) {
        horizontalPass(src + <usize>r1 * srcStride, xTaps, width, grouped, lower);
        lowerRow = r1;
      }
      second = lower;
    }
    const b0 = i32x4.splat(load<i32>(t, 8)), b1 = i32x4.splat(load<i32>(t, 12));
    const out = dst + <usize>y * dstStride;
    // OpenCV's 8-bit vertical pass: drop 4 bits, multiply, drop 16, then round off the last 2.
    for (let x = 0; x < width; x += 4) {
      const at = <usize>x << 2;
      const top = i32x4.shr_s(i32x4.mul(b0, i32x4.shr_s(v128.load(upper + at), 4)), 16);
      const bottom = i32x4.shr_s(i32x4.mul(b1, i32x4.shr_s(v128.load(second + at), 4)), 16);
      const value = i32x4.shr_s(i32x4.add(i32x4.add(top, bottom), i32x4.splat(2)), 2);
      if (floats) {
        v128.store(out + at, f32x4.convert_i32x4_s(value));
      } else {
        const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(value, value), value);
        v128.store32_lane(out + <usize>x, bytes, 0);
      }
    }
  }
}

/** Mirrors each of `rows` rows of `width` f32 (a multiple of 4) left to right, src -> dst. */
export function mirrorRows(src: usize, width: i32, rows: i32, dst: usize): void {
  const rowBytes = <usize>width << 2;
  for (let y = 0; y < rows; y++) {
    const from = src + <usize>y * rowBytes, to = dst + <usize>y * rowBytes;
    for (let x: usize = 0; x < rowBytes; x += 16) {
      const v = v128.load(from + rowBytes - 16 - x);
      v128.store(to + x, i32x4.shuffle(v, v, 3, 2, 1, 0));
    }
  }
}
