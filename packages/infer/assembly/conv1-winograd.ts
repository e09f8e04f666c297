// conv1 for an 8x8 kernel with stride 2 (p1 and p12), as a Winograd convolution.
//
// Splitting the input into its 4 stride phases (even/odd rows x even/odd columns) turns the
// 8x8 stride-2 convolution into a 4x4 stride-1 convolution over 4 phase channels. That one is
// computed with Winograd's F(3x3, 4x4) (points 0, 1, -1, 2, -2, inf): per 3x3 output tile,
// Y = A^T [sum over phases (G g G^T) .* (B^T d B)] A, which needs 36 multiply-adds per phase
// and output channel instead of 144. The weights arrive already transformed (G g G^T, packed
// [36 positions][4 phases][16 channels] per block of 16 channels by the host).
//
//   B^T = [4  0 -5  0  1  0]    A^T = [1  1  1  1  1  0]
//         [0  4  4 -1 -1  0]          [0  1 -1  2 -2  0]
//         [0 -4  4  1 -1  0]          [0  1  1  4  4  1]
//         [0 -2 -1  2  1  0]
//         [0  2 -1 -2  1  0]
//         [0  4  0 -5  0  1]
import { relu } from "./simd";

const TILE: i32 = 3; // outputs per tile side
const SPAN: i32 = 6; // inputs per tile side (TILE + 4 - 1)
const POSITIONS: i32 = 36;
/** Work space winogradConv1 needs: 36 + 36 + 144 vectors. */
export const WINOGRAD_SCRATCH_BYTES: i32 = (36 + 36 + 144) * 16;

/**
 * Space-to-depth by 2: phase[i][j] = (p[2i][2j], p[2i][2j+1], p[2i+1][2j], p[2i+1][2j+1]) for
 * the zero-padded image p (side = 2 * phaseSide floats, plus 16 bytes of slack after it).
 */
export function splitPhases(src: usize, phaseSide: i32, dst: usize): void {
  const rowBytes = <usize>phaseSide << 3;
  let out = dst;
  for (let i = 0; i < phaseSide; i++) {
    const even = src + <usize>(i << 1) * rowBytes;
    const odd = even + rowBytes;
    for (let j = 0; j < phaseSide; j += 2) {
      // Four floats of each row hold two neighbouring phase pixels (the odd tail reads slack).
      const a = v128.load(even + (<usize>j << 3)), b = v128.load(odd + (<usize>j << 3));
      v128.store(out, i64x2.shuffle(a, b, 0, 2));
      if (j + 1 < phaseSide) v128.store(out, i64x2.shuffle(a, b, 1, 3), 16);
      out += 32;
    }
    out -= <usize>(phaseSide & 1) << 4;
  }
}

/** u = B^T d for 6 vectors d read every srcStep bytes; writes 6 vectors every dstStep bytes. */
@inline function inputTransform(src: usize, srcStep: usize, dst: usize, dstStep: usize): void {
  const d0 = v128.load(src), d1 = v128.load(src + srcStep), d2 = v128.load(src + 2 * srcStep);
  const d3 = v128.load(src + 3 * srcStep), d4 = v128.load(src + 4 * srcStep), d5 = v128.load(src + 5 * srcStep);
  const four = f32x4.splat(4), five = f32x4.splat(5);
  const p = f32x4.mul(four, f32x4.add(d1, d2)), q = f32x4.add(d3, d4);
  const r = f32x4.mul(four, f32x4.sub(d2, d1)), s = f32x4.sub(d3, d4);
  const t = f32x4.sub(d3, d1), e = f32x4.add(t, t), h = f32x4.sub(d4, d2);
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(dst + dstStep, f32x4.sub(p, q));
  v128.store(dst + 2 * dstStep, f32x4.add(r, s));
  v128.store(dst + 3 * dstStep, f32x4.add(e, h));
  v128.store(dst + 4 * dstStep, f32x4.sub(h, e));
  v128.store(dst + 5 * dstStep, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/** y = A^T m for 6 vectors m read every srcStep bytes; writes 3 vectors every dstStep bytes. */
@inline function outputTransform(src: usize, srcStep: usize, dst: usize, dstStep: usize): void {
  const m0 = v128.load(src), m1 = v128.load(src + srcStep), m2 = v128.load(src + 2 * srcStep);
  const m3 = v128.load(src + 3 * srcStep), m4 = v128.load(src + 4 * srcStep), m5 = v128.load(src + 5 * srcStep);
  const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, s12), s34));
  v128.store(dst + dstStep, f32x4.add(d12, f32x4.add(d34, d34)));
  v128.store(dst + 2 * dstStep, f32x4.add(f32x4.add(s12, f32x4.mul(f32x4.splat(4), s34)), m5));
}

/** One output row: y = A^T m for 6 vectors every 16 bytes at src, then ReLU(y + b) to 3 pixels. */
@inline function outputRow(src: usize, b: v128, dst: usize, pixelBytes: usize): void {
  const m0 = v128.load(src), m1 = v128.load(src, 16), m2 = v128.load(src, 32);
  const m3 = v128.load(src, 48), m4 = v128.load(src, 64), m5 = v128.load(src, 80);
  const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  v128.store(dst, relu(f32x4.add(f32x4.add(f32x4.add(m0, s12), s34), b)));
  v128.store(dst + pixelBytes, relu(f32x4.add(f32x4.add(d12, f32x4.add(d34, d34)), b)));
  v128.store(dst + 2 * pixelBytes, relu(f32x4.add(f32x4.add(f32x4.add(s12, f32x4.mul(f32x4.splat(4), s34)), m5), b)));
}

/**
 * conv1 (+ bias, ReLU) for one block of 16 output channels over tiles x tiles output tiles.
 * phases: the split image (phaseSide x phaseSide x 4); weights: [36][4][16] transformed;
 * dst: output pixel (0, 0) of this block; dstRowBytes / dstPixelBytes: output strides;
 * scratch: WINOGRAD_SCRATCH_BYTES of work space.
 */
export function winogradConv1(
  phases: usize, phaseSide: i32, tiles: i32, weights: usize, bias: usize,
  dst: usize, dstRowBytes: usize, dstPixelBytes: usize, scratch: usize,
): void {
  const stage = scratch; // 36 vectors: B^T d, then the row results
  const u = scratch + (<usize>POSITIONS << 4); // 36 vectors: B^T d B (lanes = phases)
  const m = u + (<usize>POSITIONS << 4); // 36 x 4 vectors: the products summed over phases
  const phaseRow = <usize>phaseSide << 4;
  for (let ty = 0; ty < tiles; ty++) {
    for (let tx = 0; tx < tiles; tx++) {
      const base = phases + <usize>(ty * TILE) * phaseRow + (<usize>(tx * TILE) << 4);
      // B^T d B: columns into stage, then rows into u.
      for (let j = 0; j < SPAN; j++) inputTransform(base + (<usize>j << 4), phaseRow, stage + (<usize>j << 4), 96);
      for (let i = 0; i < SPAN; i++) inputTransform(stage + <usize>i * 96, 16, u + <usize>i * 96, 16);
      // Per position: sum over the 4 phases of u[phase] * V[phase][16 channels].
      let w = weights;
      let out = m;
      for (let pos: usize = 0; pos < <usize>POSITIONS; pos++) {
        const at = u + (pos << 4);
        const s0 = v128.load32_splat(at), s1 = v128.load32_splat(at, 4);
        const s2 = v128.load32_splat(at, 8), s3 = v128.load32_splat(at, 12);
        v128.store(out, f32x4.add(f32x4.add(f32x4.mul(s0, v128.load(w)), f32x4.mul(s1, v128.load(w, 64))),
          f32x4.add(f32x4.mul(s2, v128.load(w, 128)), f32x4.mul(s3, v128.load(w, 192)))));
        v128.store(out, f32x4.add(f32x4.add(f32x4.mul(s0, v128.load(w, 16)), f32x4.mul(s1, v128.load(w, 80))),
          f32x4.add(f32x4.mul(s2, v128.load(w, 144)), f32x4.mul(s3, v128.load(w, 208)))), 16);
        v128.store(out, f32x4.add(f32x4.add(f32x4.mul(s0, v128.load(w, 32)), f32x4.mul(s1, v128.load(w, 96))),
          f32x4.add(f32x4.mul(s2, v128.load(w, 160)), f32x4.mul(s3, v128.load(w, 224)))), 32);
        v128.store(out, f32x4.add(f32x4.add(f32x4.mul(s0, v128.load(w, 48)), f32x4.mul(s1, v128.load(w, 112))),
          f32x4.add(f32x4.mul(s2, v128.load(w, 176)), f32x4.mul(s3, v128.load(w, 240)))), 48);
        w += 256;
        out += 64;
      }
      // A^T m A per vector of 4 channels: columns into stage, then rows, + bias, ReLU, store.
      const pixel = dst + <usize>(ty * TILE) * dstRowBytes + <usize>(tx * TILE) * dstPixelBytes;
      for (let k: usize = 0; k < 64; k += 16) {
        for (let j = 0; j < SPAN; j++) outputTransform(m + (<usize>j << 6) + k, 384, stage + (<usize>j << 4), 96);
        const b = v128.load(bias + k);
        for (let o = 0; o < TILE; o++) {
          outputRow(stage + <usize>o * 96, b, pixel + <usize>o * dstRowBytes + k, dstPixelBytes);
        }
      }
    }
  }
}
