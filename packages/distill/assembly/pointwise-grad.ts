// The filter gradient of a 1x1 convolution at stride 1 (dsnet's pointwise layers):
//   dW[c, o] = sum over the rows r (pixels of the batch) of x[r, c] * dy[r, o]
// A matrix product whose shared dimension is the long one (rows: 28,224 at dsnet's 21x21
// layers), the shape a GEMM library streams worst: XNNPACK ran it at a third of its speed on
// the forward convolution. Here the rows go in chunks that stay in cache, each chunk adding
// into every 4x8 tile of dW held in registers; chunks are summed in doubles.
// inChannels % 4 == 0, outChannels % 8 == 0 (the host checks). scratch: inChannels *
// outChannels doubles.

const CHUNK: i32 = 256;

export function pointwiseFilter(x: usize, dy: usize, rows: i32, inChannels: i32, outChannels: i32, dw: usize, scratch: usize): void {
  const xRow = <usize>inChannels << 2;
  const dyRow = <usize>outChannels << 2;
  const totalRow = <usize>outChannels << 3;
  memory.fill(scratch, 0, <usize>inChannels * totalRow);
  for (let r0 = 0; r0 < rows; r0 += CHUNK) {
    const count = min(rows - r0, CHUNK);
    for (let c = 0; c < inChannels; c += 4) {
      for (let o = 0; o < outChannels; o += 8) {
        let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
        let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
        let px = x + <usize>r0 * xRow + (<usize>c << 2);
        let pd = dy + <usize>r0 * dyRow + (<usize>o << 2);
        for (let r = 0; r < count; r++) {
          const d0 = v128.load(pd);
          const d1 = v128.load(pd, 16);
          const x0 = v128.load32_splat(px);
          const x1 = v128.load32_splat(px, 4);
          const x2 = v128.load32_splat(px, 8);
          const x3 = v128.load32_splat(px, 12);
          a00 = f32x4.add(a00, f32x4.mul(x0, d0));
          a01 = f32x4.add(a01, f32x4.mul(x0, d1));
          a10 = f32x4.add(a10, f32x4.mul(x1, d0));
          a11 = f32x4.add(a11, f32x4.mul(x1, d1));
          a20 = f32x4.add(a20, f32x4.mul(x2, d0));
          a21 = f32x4.add(a21, f32x4.mul(x2, d1));
          a30 = f32x4.add(a30, f32x4.mul(x3, d0));
          a31 = f32x4.add(a31, f32x4.mul(x3, d1));
          px += xRow;
          pd += dyRow;
        }
        const t = scratch + <usize>c * totalRow + (<usize>o << 3);
        addToDoubles(t, a00, a01);
        addToDoubles(t + totalRow, a10, a11);
        addToDoubles(t + 2 * totalRow, a20, a21);
        addToDoubles(t + 3 * totalRow, a30, a31);
      }
    }
  }
  const weights = inChannels * outChannels;
  for (let i = 0; i < weights; i++) store<f32>(dw + (<usize>i << 2), <f32>load<f64>(scratch + (<usize>i << 3)));
}

/** doubles[0..7] += the lanes of low, then of high. */
@inline function addToDoubles(doubles: usize, low: v128, high: v128): void {
  v128.store(doubles, f64x2.add(v128.load(doubles), f64x2.promote_low_f32x4(low)));
  v128.store(doubles, f64x2.add(v128.load(doubles, 16), f64x2.promote_low_f32x4(i32x4.shuffle(low, low, 2, 3, 0, 1))), 16);
  v128.store(doubles, f64x2.add(v128.load(doubles, 32), f64x2.promote_low_f32x4(high)), 32);
  v128.store(doubles, f64x2.add(v128.load(doubles, 48), f64x2.promote_low_f32x4(i32x4.shuffle(high, high, 2, 3, 0, 1))), 48);
}
