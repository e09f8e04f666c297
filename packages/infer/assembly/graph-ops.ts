// The layer graph's ops for any shape, stateless: the host (src/wasm/graph-plan.ts) lays out
// memory and calls one per node. Maps are NHWC f32; pointers and strides are in bytes; a bias
// pointer of 0 means no bias. Vectorised over output channels (4 lanes), scalar tails.
import { mulAdd, relu } from "./simd";

@inline function reluScalar(v: f32): f32 {
  return v > 0 ? v : 0; // NaN -> 0, as relu() (pmax) does
}

/**
 * out[m][n] = a[m][k] . B + bias (then ReLU): dense layers (m = 1), pointwise convolutions (a =
 * the map's pixels) and im2col convolutions. The host packs B in panels of 8 columns, each
 * [k][8] (zero past column n), so a panel is read in order, and pads the bias to the panels'
 * width. Blocks of 4 rows x 8 columns keep 8 accumulators in registers and load each weight
 * vector once for 4 rows. A last panel narrower than 8 goes through `tail` (32 bytes).
 */
export function gemm(a: usize, m: i32, k: i32, b: usize, n: i32, bias: usize, out: usize, activate: bool, tail: usize): void {
  const aRow = <usize>k << 2;
  const outRow = <usize>n << 2;
  const panelBytes = <usize>k << 5;
  const panels = (n + 7) >> 3;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
    const o0 = out + <usize>i * outRow;
    for (let panel = 0; panel < panels; panel++) {
      const jb = <usize>panel << 5;
      let s0 = bias != 0 ? v128.load(bias + jb) : f32x4.splat(0);
      let t0 = bias != 0 ? v128.load(bias + jb, 16) : f32x4.splat(0);
      let s1 = s0, t1 = t0, s2 = s0, t2 = t0, s3 = s0, t3 = t0;
      let w = b + <usize>panel * panelBytes;
      for (let p = 0; p < k; p++) {
        const p4 = <usize>p << 2;
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        const x0 = v128.load32_splat(a0 + p4), x1 = v128.load32_splat(a1 + p4);
        const x2 = v128.load32_splat(a2 + p4), x3 = v128.load32_splat(a3 + p4);
        s0 = mulAdd(s0, x0, w0); t0 = mulAdd(t0, x0, w1);
        s1 = mulAdd(s1, x1, w0); t1 = mulAdd(t1, x1, w1);
        s2 = mulAdd(s2, x2, w0); t2 = mulAdd(t2, x2, w1);
        s3 = mulAdd(s3, x3, w0); t3 = mulAdd(t3, x3, w1);
        w += 32;
      }
      if (activate) {
        s0 = relu(s0); t0 = relu(t0); s1 = relu(s1); t1 = relu(t1);
        s2 = relu(s2); t2 = relu(t2); s3 = relu(s3); t3 = relu(t3);
      }
      const columns = min(8, n - (panel << 3));
      storeColumns(o0 + jb, s0, t0, columns, tail);
      storeColumns(o0 + outRow + jb, s1, t1, columns, tail);
      storeColumns(o0 + 2 * outRow + jb, s2, t2, columns, tail);
      storeColumns(o0 + 3 * outRow + jb, s3, t3, columns, tail);
    }
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * aRow;
    const o0 = out + <usize>i * outRow;
    for (let panel = 0; panel < panels; panel++) {
      const jb = <usize>panel << 5;
      let s0 = bias != 0 ? v128.load(bias + jb) : f32x4.splat(0);
      let t0 = bias != 0 ? v128.load(bias + jb, 16) : f32x4.splat(0);
      let w = b + <usize>panel * panelBytes;
      for (let p = 0; p < k; p++) {
        const x0 = v128.load32_splat(a0 + (<usize>p << 2));
        s0 = mulAdd(s0, x0, v128.load(w)); t0 = mulAdd(t0, x0, v128.load(w, 16));
        w += 32;
      }
      if (activate) {
        s0 = relu(s0); t0 = relu(t0);
      }
      storeColumns(o0 + jb, s0, t0, min(8, n - (panel << 3)), tail);
    }
  }
}

/** The first `columns` (1..8) of two vectors at `to`. */
@inline function storeColumns(to: usize, s: v128, t: v128, columns: i32, tail: usize): void {
  if (columns == 8) {
    v128.store(to, s);
    v128.store(to, t, 16);
  } else {
    v128.store(tail, s);
    v128.store(tail, t, 16);
    for (let c = 0; c < columns; c++) store<f32>(to + (<usize>c << 2), load<f32>(tail + (<usize>c << 2)));
  }
}

/** Copies `count` floats from `from` to `to` (zeros when `from` is 0): a few floats a call, where memory.copy's call costs more than the copy. */
@inline function copyFloats(from: usize, count: i32, to: usize): void {
  let i = 0;
  if (from == 0) {
    for (; i + 4 <= count; i += 4) v128.store(to + (<usize>i << 2), f32x4.splat(0));
    for (; i < count; i++) store<f32>(to + (<usize>i << 2), 0);
  } else {
    for (; i + 4 <= count; i += 4) v128.store(to + (<usize>i << 2), v128.load(from + (<usize>i << 2)));
    for (; i < count; i++) store<f32>(to + (<usize>i << 2), load<f32>(from + (<usize>i << 2)));
  }
}

/**
 * The windows of a convolution as rows: dst[(oy * outW + ox)][(ky * kernel + kx) * c + ci], zero
 * where a window reaches past the map (TF "SAME" padding `padY`, `padX` before). With HWIO
 * weights flattened to [kernel * kernel * c][filters], a gemm then gives the convolution.
 */
export function im2col(src: usize, h: i32, w: i32, c: i32, kernel: i32, stride: i32, padY: i32, padX: i32, outH: i32, outW: i32, dst: usize): void {
  const pixelBytes = <usize>c << 2;
  const spanFloats = kernel * c; // a window's row: kernel pixels, contiguous in NHWC
  let d = dst;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * stride - padY;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * stride - padX;
      const columnsInside = x0 >= 0 && x0 + kernel <= w;
      if (c == 1 && kernel == 3 && columnsInside && y0 >= 0 && y0 + 3 <= h) {
        // A gray image's 3x3 window inside the map (a stem's): nine floats, no per-row calls.
        const p = src + (<usize>(y0 * w + x0) << 2), q = p + (<usize>w << 2), r = q + (<usize>w << 2);
        store<f32>(d, load<f32>(p)); store<f32>(d, load<f32>(p, 4), 4); store<f32>(d, load<f32>(p, 8), 8);
        store<f32>(d, load<f32>(q), 12); store<f32>(d, load<f32>(q, 4), 16); store<f32>(d, load<f32>(q, 8), 20);
        store<f32>(d, load<f32>(r), 24); store<f32>(d, load<f32>(r, 4), 28); store<f32>(d, load<f32>(r, 8), 32);
        d += 36;
        continue;
      }
      for (let ky = 0; ky < kernel; ky++) {
        const iy = oy * stride + ky - padY;
        if (iy < 0 || iy >= h) {
          copyFloats(0, spanFloats, d);
        } else if (columnsInside) {
          copyFloats(src + <usize>(iy * w + x0) * pixelBytes, spanFloats, d);
        } else {
          for (let kx = 0; kx < kernel; kx++) {
            const ix = x0 + kx;
            copyFloats(ix < 0 || ix >= w ? 0 : src + <usize>(iy * w + ix) * pixelBytes, c, d + <usize>kx * pixelBytes);
          }
        }
        d += <usize>spanFloats << 2;
      }
    }
  }
}

/**
 * Depthwise convolution, multiplier 1, weights [kernel][kernel][c], SAME padding, bias optional.
 * 3x3 with channels in fours: each block of 4 channels keeps its 9 weight vectors in registers
 * over the whole map, and pixels whose window lies inside the map take 9 loads at fixed
 * offsets; the others (and any other shape) take the general loop.
 */
export function depthwise(src: usize, h: i32, w: i32, c: i32, kernel: i32, stride: i32, padY: i32, padX: i32, outH: i32, outW: i32, weights: usize, bias: usize, dst: usize, activate: bool): void {
  if (kernel != 3 || (c & 3) != 0) {
    depthwiseGeneral(src, h, w, c, kernel, stride, padY, padX, outH, outW, weights, bias, dst, activate);
    return;
  }
  const pixelBytes = <usize>c << 2;
  const rowBytes = <usize>w * pixelBytes;
  const step = <usize>stride * pixelBytes;
  for (let ch = 0; ch < c; ch += 4) {
    const cb = <usize>ch << 2;
    const w0 = v128.load(weights + cb), w1 = v128.load(weights + pixelBytes + cb), w2 = v128.load(weights + 2 * pixelBytes + cb);
    const w3 = v128.load(weights + 3 * pixelBytes + cb), w4 = v128.load(weights + 4 * pixelBytes + cb), w5 = v128.load(weights + 5 * pixelBytes + cb);
    const w6 = v128.load(weights + 6 * pixelBytes + cb), w7 = v128.load(weights + 7 * pixelBytes + cb), w8 = v128.load(weights + 8 * pixelBytes + cb);
    const b = bias != 0 ? v128.load(bias + cb) : f32x4.splat(0);
    // Left border, then the run of windows inside the map, then the right border.
    const firstInside = (padX + stride - 1) / stride;
    const lastInside = w - 3 + padX >= 0 ? (w - 3 + padX) / stride : -1; // the last ox whose window ends inside
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - padY;
      const rowInside = y0 >= 0 && y0 + 3 <= h;
      let o = dst + <usize>(oy * outW) * pixelBytes + cb;
      let ox = 0;
      for (; ox < outW; ox++) {
        const x0 = ox * stride - padX;
        if (rowInside && ox >= firstInside && ox <= lastInside) {
          let p = src + <usize>(y0 * w + x0) * pixelBytes + cb;
          for (; ox <= lastInside && ox < outW; ox++) {
            let s = mulAdd(b, v128.load(p), w0);
            s = mulAdd(s, v128.load(p + pixelBytes), w1);
            s = mulAdd(s, v128.load(p + 2 * pixelBytes), w2);
            const q = p + rowBytes;
            s = mulAdd(s, v128.load(q), w3);
            s = mulAdd(s, v128.load(q + pixelBytes), w4);
            s = mulAdd(s, v128.load(q + 2 * pixelBytes), w5);
            const r = q + rowBytes;
            s = mulAdd(s, v128.load(r), w6);
            s = mulAdd(s, v128.load(r + pixelBytes), w7);
            s = mulAdd(s, v128.load(r + 2 * pixelBytes), w8);
            v128.store(o, activate ? relu(s) : s);
            o += pixelBytes;
            p += step;
          }
          ox--;
          continue;
        }
        const kyFrom = max(0, -y0), kyTo = min(3, h - y0);
        const kxFrom = max(0, -x0), kxTo = min(3, w - x0);
        let s = b;
        for (let ky = kyFrom; ky < kyTo; ky++) {
          for (let kx = kxFrom; kx < kxTo; kx++) {
            s = mulAdd(s, v128.load(src + <usize>((y0 + ky) * w + x0 + kx) * pixelBytes + cb), v128.load(weights + <usize>(ky * 3 + kx) * pixelBytes + cb));
          }
        }
        v128.store(o, activate ? relu(s) : s);
        o += pixelBytes;
      }
    }
  }
}

function depthwiseGeneral(src: usize, h: i32, w: i32, c: i32, kernel: i32, stride: i32, padY: i32, padX: i32, outH: i32, outW: i32, weights: usize, bias: usize, dst: usize, activate: bool): void {
  const pixelBytes = <usize>c << 2;
  const c4 = c & ~3;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * stride - padY;
    const kyFrom = max(0, -y0), kyTo = min(kernel, h - y0);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * stride - padX;
      const kxFrom = max(0, -x0), kxTo = min(kernel, w - x0);
      const o = dst + <usize>(oy * outW + ox) * pixelBytes;
      for (let ch = 0; ch < c4; ch += 4) {
        const cb = <usize>ch << 2;
        let s = bias != 0 ? v128.load(bias + cb) : f32x4.splat(0);
        for (let ky = kyFrom; ky < kyTo; ky++) {
          const row = src + <usize>((y0 + ky) * w) * pixelBytes + cb;
          const wRow = weights + <usize>(ky * kernel) * pixelBytes + cb;
          for (let kx = kxFrom; kx < kxTo; kx++) {
            s = mulAdd(s, v128.load(row + <usize>(x0 + kx) * pixelBytes), v128.load(wRow + <usize>kx * pixelBytes));
          }
        }
        v128.store(o + cb, activate ? relu(s) : s);
      }
      for (let ch = c4; ch < c; ch++) {
        const cb = <usize>ch << 2;
        let s: f32 = bias != 0 ? load<f32>(bias + cb) : 0;
        for (let ky = kyFrom; ky < kyTo; ky++) {
          for (let kx = kxFrom; kx < kxTo; kx++) {
            s += load<f32>(src + <usize>((y0 + ky) * w + x0 + kx) * pixelBytes + cb) * load<f32>(weights + <usize>(ky * kernel + kx) * pixelBytes + cb);
          }
        }
        store<f32>(o + cb, activate ? reluScalar(s) : s);
      }
    }
  }
}

/** Max-pooling over size x size windows, SAME padding (padded cells never win). */
export function maxPool(src: usize, h: i32, w: i32, c: i32, size: i32, stride: i32, padY: i32, padX: i32, outH: i32, outW: i32, dst: usize): void {
  const pixelBytes = <usize>c << 2;
  const c4 = c & ~3;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * stride - padY;
    const yFrom = max(0, y0), yTo = min(h, y0 + size);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * stride - padX;
      const xFrom = max(0, x0), xTo = min(w, x0 + size);
      const o = dst + <usize>(oy * outW + ox) * pixelBytes;
      if (yTo - yFrom == 2 && xTo - xFrom == 2 && c4 == c) {
        // A whole 2x2 window (dsnet's pools): four loads at fixed offsets, no loop bounds.
        const p = src + <usize>(yFrom * w + xFrom) * pixelBytes, q = p + <usize>w * pixelBytes;
        for (let cb: usize = 0; cb < pixelBytes; cb += 16) {
          const top = f32x4.max(v128.load(p + cb), v128.load(p + pixelBytes + cb));
          const bottom = f32x4.max(v128.load(q + cb), v128.load(q + pixelBytes + cb));
          v128.store(o + cb, f32x4.max(top, bottom));
        }
        continue;
      }
      for (let ch = 0; ch < c4; ch += 4) {
        const cb = <usize>ch << 2;
        let m = f32x4.splat(-Infinity);
        for (let y = yFrom; y < yTo; y++) {
          for (let x = xFrom; x < xTo; x++) m = f32x4.max(m, v128.load(src + <usize>(y * w + x) * pixelBytes + cb));
        }
        v128.store(o + cb, m);
      }
      for (let ch = c4; ch < c; ch++) {
        const cb = <usize>ch << 2;
        let m: f32 = -Infinity;
        for (let y = yFrom; y < yTo; y++) {
          for (let x = xFrom; x < xTo; x++) {
            const v = load<f32>(src + <usize>(y * w + x) * pixelBytes + cb);
            if (v > m || isNaN(v)) m = v; // a NaN propagates, as f32x4.max does
          }
        }
        store<f32>(o + cb, m);
      }
    }
  }
}

/** The mean of each channel over `pixels` pixels: [pixels][c] -> [c]. */
export function globalAvgPool(src: usize, pixels: i32, c: i32, dst: usize): void {
  const pixelBytes = <usize>c << 2;
  const c4 = c & ~3;
  const inverse = f32x4.splat(<f32>1 / <f32>pixels);
  for (let ch = 0; ch < c4; ch += 4) {
    const cb = <usize>ch << 2;
    let s = f32x4.splat(0);
    for (let p = 0; p < pixels; p++) s = f32x4.add(s, v128.load(src + <usize>p * pixelBytes + cb));
    v128.store(dst + cb, f32x4.mul(s, inverse));
  }
  for (let ch = c4; ch < c; ch++) {
    const cb = <usize>ch << 2;
    let s: f32 = 0;
    for (let p = 0; p < pixels; p++) s += load<f32>(src + <usize>p * pixelBytes + cb);
    store<f32>(dst + cb, s / <f32>pixels);
  }
}

/** dst = a + b (then ReLU), `count` floats. */
export function addMaps(a: usize, b: usize, count: i32, dst: usize, activate: bool): void {
  const count4 = count & ~3;
  for (let i = 0; i < count4; i += 4) {
    const at = <usize>i << 2;
    const s = f32x4.add(v128.load(a + at), v128.load(b + at));
    v128.store(dst + at, activate ? relu(s) : s);
  }
  for (let i = count4; i < count; i++) {
    const at = <usize>i << 2;
    const s = load<f32>(a + at) + load<f32>(b + at);
    store<f32>(dst + at, activate ? reluScalar(s) : s);
  }
}

/** dst = max(0, src), `count` floats. */
export function reluMap(src: usize, count: i32, dst: usize): void {
  const count4 = count & ~3;
  for (let i = 0; i < count4; i += 4) v128.store(dst + (<usize>i << 2), relu(v128.load(src + (<usize>i << 2))));
  for (let i = count4; i < count; i++) store<f32>(dst + (<usize>i << 2), reluScalar(load<f32>(src + (<usize>i << 2))));
}

/** dst = src * scale + offset, `count` floats. */
export function rescaleMap(src: usize, count: i32, scale: f32, offset: f32, dst: usize): void {
  const s = f32x4.splat(scale), o = f32x4.splat(offset);
  const count4 = count & ~3;
  for (let i = 0; i < count4; i += 4) v128.store(dst + (<usize>i << 2), f32x4.add(f32x4.mul(v128.load(src + (<usize>i << 2)), s), o));
  for (let i = count4; i < count; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)) * scale + offset);
}
