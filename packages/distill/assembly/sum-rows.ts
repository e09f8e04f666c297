// out[c] = sum over r of x[r, c] for x [rows, cols]: the bias gradient (Sum over every axis
// but the channels); meanRows divides it by rows (batch norm's moments over N, H, W).
// Blocks of 64 rows are summed in float32 vectors, the blocks in double precision (the cpu
// backend sums in doubles; MicroExpNet's conv1 has 113,000 rows), divided in double.
// scratch: cols doubles. cols need not be a multiple of 4 (the tail is summed in doubles).

const BLOCK: i32 = 64;

export function sumRows(x: usize, rows: i32, cols: i32, out: usize, scratch: usize): void {
  reduceRows(x, rows, cols, out, scratch, 1);
}

export function meanRows(x: usize, rows: i32, cols: i32, out: usize, scratch: usize): void {
  reduceRows(x, rows, cols, out, scratch, <f64>rows);
}

@inline function reduceRows(x: usize, rows: i32, cols: i32, out: usize, scratch: usize, divisor: f64): void {
  const rowBytes = <usize>cols << 2;
  const vectorCols = cols & ~3;
  memory.fill(scratch, 0, <usize>cols << 3);
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = min(rows, r0 + BLOCK);
    for (let c = 0; c < vectorCols; c += 4) {
      let acc = f32x4.splat(0);
      let p = x + <usize>r0 * rowBytes + (<usize>c << 2);
      for (let r = r0; r < r1; r++) {
        acc = f32x4.add(acc, v128.load(p));
        p += rowBytes;
      }
      const s = scratch + (<usize>c << 3);
      v128.store(s, f64x2.add(v128.load(s), f64x2.promote_low_f32x4(acc)));
      v128.store(s, f64x2.add(v128.load(s, 16), f64x2.promote_low_f32x4(i32x4.shuffle(acc, acc, 2, 3, 0, 1))), 16);
    }
    for (let c = vectorCols; c < cols; c++) {
      let sum: f64 = 0;
      let p = x + <usize>r0 * rowBytes + (<usize>c << 2);
      for (let r = r0; r < r1; r++) {
        sum += <f64>load<f32>(p);
        p += rowBytes;
      }
      const s = scratch + (<usize>c << 3);
      store<f64>(s, load<f64>(s) + sum);
    }
  }
  for (let c = 0; c < cols; c++) store<f32>(out + (<usize>c << 2), <f32>(load<f64>(scratch + (<usize>c << 3)) / divisor));
}
