// conv2 for a 4x4 kernel with stride 2, as a Winograd convolution.
//
// As for conv1 (conv1-winograd.ts), the stride phases turn it into a 2x2 stride-1 convolution,
// here over 4 phases x 16 channels = 64 inputs, computed with F(3x3, 2x2) (points 0, 1, -1, inf):
// 16 multiply-adds per input and output channel per 3x3 tile instead of 36. The products for one
// of the 16 positions are a small matrix product (tiles x 64) x (64 x 32), run with convRow16 on
// a "row" of tiles. Weights arrive transformed (G g G^T), packed [16 positions][64][16] per
// block of 16 output channels.
//
//   B^T = [1  0 -1  0]    A^T = [1  1  1  0]
//         [0  1  1  0]          [0  1 -1  0]
//         [0 -1  1  0]          [0  1  1  1]
//         [0 -1  0  1]
import { convRow16 } from "./conv";
import { relu } from "./simd";

/** Stores B^T-transformed row t (4 vectors) as positions row*4 .. row*4+3. */
@inline function storeRow(t0: v128, t1: v128, t2: v128, t3: v128, dst: usize, posBytes: usize): void {
  v128.store(dst, f32x4.sub(t0, t2));
  v128.store(dst + posBytes, f32x4.add(t1, t2));
  v128.store(dst + 2 * posBytes, f32x4.sub(t2, t1));
  v128.store(dst + 3 * posBytes, f32x4.sub(t3, t1));
}

/**
 * U = B^T d B for every tile and stride phase of the zero-padded NHWC input (side paddedSide,
 * `channels` floats per pixel), stored u[position][tile][phase * channels + channel].
 */
function inputTransform(src: usize, paddedSide: i32, channels: i32, tiles: i32, u: usize): void {
  const pixelBytes = <usize>channels << 2;
  const rowBytes = <usize>paddedSide * pixelBytes;
  const tileBytes = pixelBytes << 2;
  const posBytes = <usize>(tiles * tiles) * tileBytes;
  const c1 = pixelBytes << 1, c2 = pixelBytes << 2, c3 = pixelBytes * 6; // d[.][b]: phase pixels 2 apart
  for (let ty = 0; ty < tiles; ty++) {
    for (let tx = 0; tx < tiles; tx++) {
      const origin = src + <usize>(6 * ty) * rowBytes + <usize>(6 * tx) * pixelBytes;
      const tileOut = u + <usize>(ty * tiles + tx) * tileBytes;
      for (let phase = 0; phase < 4; phase++) {
        const phaseIn = origin + <usize>(phase >> 1) * rowBytes + <usize>(phase & 1) * pixelBytes;
        const phaseOut = tileOut + <usize>phase * pixelBytes;
        for (let k: usize = 0; k < pixelBytes; k += 16) {
          const r0 = phaseIn + k, r1 = r0 + (rowBytes << 1), r2 = r1 + (rowBytes << 1), r3 = r2 + (rowBytes << 1);
          const out = phaseOut + k;
          const d10 = v128.load(r1), d11 = v128.load(r1 + c1), d12 = v128.load(r1 + c2), d13 = v128.load(r1 + c3);
          const d20 = v128.load(r2), d21 = v128.load(r2 + c1), d22 = v128.load(r2 + c2), d23 = v128.load(r2 + c3);
          storeRow(f32x4.add(d10, d20), f32x4.add(d11, d21), f32x4.add(d12, d22), f32x4.add(d13, d23), out + 4 * posBytes, posBytes);
          storeRow(f32x4.sub(d20, d10), f32x4.sub(d21, d11), f32x4.sub(d22, d12), f32x4.sub(d23, d13), out + 8 * posBytes, posBytes);
          storeRow(
            f32x4.sub(v128.load(r0), d20), f32x4.sub(v128.load(r0 + c1), d21),
            f32x4.sub(v128.load(r0 + c2), d22), f32x4.sub(v128.load(r0 + c3), d23), out, posBytes);
          storeRow(
            f32x4.sub(v128.load(r3), d10), f32x4.sub(v128.load(r3 + c1), d11),
            f32x4.sub(v128.load(r3 + c2), d12), f32x4.sub(v128.load(r3 + c3), d13), out + 12 * posBytes, posBytes);
        }
      }
    }
  }
}

/** One output row o of a tile: y = A^T c for the column results c0..c3, then ReLU(y + b) to 3 pixels. */
@inline function storeOutputRow(c0: v128, c1: v128, c2: v128, c3: v128, b: v128, dst: usize, pixelBytes: usize): void {
  const s = f32x4.add(c1, c2);
  v128.store(dst, relu(f32x4.add(f32x4.add(c0, s), b)));
  v128.store(dst + pixelBytes, relu(f32x4.add(f32x4.sub(c1, c2), b)));
  v128.store(dst + 2 * pixelBytes, relu(f32x4.add(f32x4.add(s, c3), b)));
}

/**
 * conv2 (+ bias, ReLU) over tiles x tiles output tiles of 3x3 pixels, written to dst with
 * 3 * tiles pixels per row (the caller crops). u, m: work space of 16 * tiles^2 * 4 * channels
 * and 16 * tiles^2 * filters floats; zeros: 16 zero floats.
 */
export function winogradConv2(
  src: usize, paddedSide: i32, channels: i32, filters: i32, tiles: i32,
  weights: usize, bias: usize, dst: usize, u: usize, m: usize, zeros: usize,
): void {
  inputTransform(src, paddedSide, channels, tiles, u);
  const tileCount = tiles * tiles;
  const taps = channels << 2;
  const tileBytes = <usize>taps << 2;
  const posBytes = <usize>tileCount * tileBytes;
  const filterBytes = <usize>filters << 2;
  const blockWeights = <usize>(16 * taps) << 6; // one block of 16 filters: 16 positions x taps x 16
  for (let pos = 0; pos < 16; pos++) {
    for (let blk = 0; blk < filters >> 4; blk++) {
      convRow16(u + <usize>pos * posBytes, 0, 1, taps, tileBytes, tileCount,
        weights + <usize>blk * blockWeights + <usize>pos * (<usize>taps << 6), zeros,
        m + <usize>pos * filterBytes + (<usize>blk << 6), filterBytes << 4, false);
    }
  }
  // A^T m A per tile and vector of 4 filters; m[tile][position][filter].
  const rowBytes = <usize>(3 * tiles) * filterBytes;
  const rowStep = filterBytes << 2; // m[a][b] -> m[a+1][b]
  for (let ty = 0; ty < tiles; ty++) {
    for (let tx = 0; tx < tiles; tx++) {
      const tileM = m + <usize>((ty * tiles + tx) << 4) * filterBytes;
      const pixel = dst + <usize>(3 * ty) * rowBytes + <usize>(3 * tx) * filterBytes;
      for (let k: usize = 0; k < filterBytes; k += 16) {
        const b = v128.load(bias + k);
        const p0 = tileM + k, p1 = p0 + rowStep, p2 = p1 + rowStep, p3 = p2 + rowStep;
        const f = filterBytes;
        const m10 = v128.load(p1), m11 = v128.load(p1 + f), m12 = v128.load(p1 + 2 * f), m13 = v128.load(p1 + 3 * f);
        const m20 = v128.load(p2), m21 = v128.load(p2 + f), m22 = v128.load(p2 + 2 * f), m23 = v128.load(p2 + 3 * f);
        const s0 = f32x4.add(m10, m20), s1 = f32x4.add(m11, m21), s2 = f32x4.add(m12, m22), s3 = f32x4.add(m13, m23);
        storeOutputRow(
          f32x4.add(v128.load(p0), s0), f32x4.add(v128.load(p0 + f), s1),
          f32x4.add(v128.load(p0 + 2 * f), s2), f32x4.add(v128.load(p0 + 3 * f), s3), b, pixel + k, filterBytes);
        storeOutputRow(f32x4.sub(m10, m20), f32x4.sub(m11, m21), f32x4.sub(m12, m22), f32x4.sub(m13, m23),
          b, pixel + rowBytes + k, filterBytes);
        storeOutputRow(
          f32x4.add(s0, v128.load(p3)), f32x4.add(s1, v128.load(p3 + f)),
          f32x4.add(s2, v128.load(p3 + 2 * f)), f32x4.add(s3, v128.load(p3 + 3 * f)), b, pixel + 2 * rowBytes + k, filterBytes);
      }
    }
  }
}
