// Batch normalisation of x [rows, channels] (NHWC activations) in training mode, fused.
// Op by op (models' batchNormTraining), a forward and backward pass read or write the whole
// activation about twenty times; here the forward takes three passes (mean, variance, y)
// and the backward two (the sums for dBeta and dGamma, then dx):
//   y = x * scale + shift,  scale = gamma * invStd,  shift = beta - mean * scale
//   dx = gamma * invStd * (dy - dBeta / rows - xhat * dGamma / rows),  xhat = (x - mean) * invStd
// The mean is sumRows's meanRows; the other sums are made the same way (float32 vectors over
// blocks of 64 rows, the blocks in doubles).
// channels % 4 == 0 (the host checks). scratch: 28 * channels bytes.

import { meanRows } from "./sum-rows";

const BLOCK: i32 = 64;

export function batchNormForward(
  x: usize, rows: i32, channels: i32, gamma: usize, beta: usize, epsilon: f64,
  y: usize, mean: usize, variance: usize, invStd: usize, scratch: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const sums = scratch;
  meanRows(x, rows, channels, mean, scratch);
  memory.fill(sums, 0, <usize>channels << 3);
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = min(rows, r0 + BLOCK);
    for (let c = 0; c < channels; c += 4) {
      const m = v128.load(mean + (<usize>c << 2));
      let acc = f32x4.splat(0);
      let p = x + <usize>r0 * rowBytes + (<usize>c << 2);
      for (let r = r0; r < r1; r++) {
        const d = f32x4.sub(v128.load(p), m);
        acc = f32x4.add(acc, f32x4.mul(d, d));
        p += rowBytes;
      }
      addToDoubles(sums + (<usize>c << 3), acc);
    }
  }
  // scale and shift per channel, kept in scratch's second half as float32.
  const scale = scratch + (<usize>channels << 3);
  const shift = scale + (<usize>channels << 2);
  for (let c = 0; c < channels; c++) {
    const v = load<f64>(sums + (<usize>c << 3)) / <f64>rows;
    const inv = <f32>(1.0 / Math.sqrt(<f64>(<f32>v) + epsilon));
    const k = load<f32>(gamma + (<usize>c << 2)) * inv;
    store<f32>(variance + (<usize>c << 2), <f32>v);
    store<f32>(invStd + (<usize>c << 2), inv);
    store<f32>(scale + (<usize>c << 2), k);
    store<f32>(shift + (<usize>c << 2), load<f32>(beta + (<usize>c << 2)) - load<f32>(mean + (<usize>c << 2)) * k);
  }

  let p = x;
  let q = y;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c += 4) {
      const o = <usize>c << 2;
      v128.store(q + o, f32x4.add(f32x4.mul(v128.load(p + o), v128.load(scale + o)), v128.load(shift + o)));
    }
    p += rowBytes;
    q += rowBytes;
  }
}

export function batchNormBackward(
  dy: usize, x: usize, rows: i32, channels: i32, mean: usize, invStd: usize, gamma: usize,
  dx: usize, dGamma: usize, dBeta: usize, scratch: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const sumDy = scratch;
  const sumDyCentred = scratch + (<usize>channels << 3);
  memory.fill(scratch, 0, <usize>channels << 4);
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = min(rows, r0 + BLOCK);
    for (let c = 0; c < channels; c += 4) {
      const o = <usize>c << 2;
      const m = v128.load(mean + o);
      let accDy = f32x4.splat(0);
      let accDyCentred = f32x4.splat(0);
      let p = <usize>r0 * rowBytes + o;
      for (let r = r0; r < r1; r++) {
        const g = v128.load(dy + p);
        accDy = f32x4.add(accDy, g);
        accDyCentred = f32x4.add(accDyCentred, f32x4.mul(g, f32x4.sub(v128.load(x + p), m)));
        p += rowBytes;
      }
      addToDoubles(sumDy + (<usize>c << 3), accDy);
      addToDoubles(sumDyCentred + (<usize>c << 3), accDyCentred);
    }
  }
  // Per channel: dBeta, dGamma, and dx = k * dy - a - (x - mean) * b (float32, after the sums).
  const k = scratch + (<usize>channels << 4);
  const a = k + (<usize>channels << 2);
  const b = a + (<usize>channels << 2);
  for (let c = 0; c < channels; c++) {
    const inv = <f64>load<f32>(invStd + (<usize>c << 2));
    const sDy = load<f64>(sumDy + (<usize>c << 3));
    const gGamma = load<f64>(sumDyCentred + (<usize>c << 3)) * inv;
    const kc = <f64>load<f32>(gamma + (<usize>c << 2)) * inv;
    store<f32>(dBeta + (<usize>c << 2), <f32>sDy);
    store<f32>(dGamma + (<usize>c << 2), <f32>gGamma);
    store<f32>(k + (<usize>c << 2), <f32>kc);
    store<f32>(a + (<usize>c << 2), <f32>(kc * sDy / <f64>rows));
    store<f32>(b + (<usize>c << 2), <f32>(kc * gGamma * inv / <f64>rows));
  }
  let p: usize = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c += 4) {
      const o = <usize>c << 2;
      const centred = f32x4.sub(v128.load(x + p + o), v128.load(mean + o));
      const scaled = f32x4.sub(f32x4.mul(v128.load(dy + p + o), v128.load(k + o)), v128.load(a + o));
      v128.store(dx + p + o, f32x4.sub(scaled, f32x4.mul(centred, v128.load(b + o))));
    }
    p += rowBytes;
  }
}

/** doubles[0..3] += the four lanes of acc. */
@inline function addToDoubles(doubles: usize, acc: v128): void {
  v128.store(doubles, f64x2.add(v128.load(doubles), f64x2.promote_low_f32x4(acc)));
  v128.store(doubles, f64x2.add(v128.load(doubles, 16), f64x2.promote_low_f32x4(i32x4.shuffle(acc, acc, 2, 3, 0, 1))), 16);
}
