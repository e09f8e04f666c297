// 2x2 stride-2 max-pooling, TF "SAME": for 2x2/2 all padding falls after the last row/column,
// so a window at the edge of an odd-sized map simply has fewer cells.

/**
 * Pools an NHWC map (side x side x channels, channels a multiple of 4, rowBytes between rows)
 * into ceil(side/2) x ceil(side/2) pixels written at dst, with dstRowBytes between output rows.
 */
export function maxPool2x2(src: usize, side: i32, channels: i32, rowBytes: usize, dst: usize, dstRowBytes: usize): void {
  const outSide = (side + 1) >> 1;
  const pixelBytes = <usize>channels << 2;
  for (let oy = 0; oy < outSide; oy++) {
    const top = src + <usize>(oy << 1) * rowBytes;
    const hasBottom = (oy << 1) + 1 < side;
    for (let ox = 0; ox < outSide; ox++) {
      const hasRight = (ox << 1) + 1 < side;
      const p = top + <usize>(ox << 1) * pixelBytes;
      const o = dst + <usize>oy * dstRowBytes + <usize>ox * pixelBytes;
      for (let c: usize = 0; c < pixelBytes; c += 16) {
        let m = v128.load(p + c);
        if (hasRight) m = f32x4.pmax(m, v128.load(p + pixelBytes + c));
        if (hasBottom) {
          m = f32x4.pmax(m, v128.load(p + rowBytes + c));
          if (hasRight) m = f32x4.pmax(m, v128.load(p + rowBytes + pixelBytes + c));
        }
        v128.store(o + c, m);
      }
    }
  }
}
