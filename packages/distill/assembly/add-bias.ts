// out[r, c] = x[r, c] + bias[c] for x [rows, cols]: a layer's bias add (tfjs-layers adds
// conv1's bias to its 7.2 MB output as a broadcast Add, which the stock kernel runs
// element by element). cols a multiple of 4.
export function addBias(x: usize, rows: i32, cols: i32, bias: usize, out: usize): void {
  const rowBytes = <usize>cols << 2;
  let p = x;
  let q = out;
  for (let r = 0; r < rows; r++) {
    for (let c: usize = 0; c < rowBytes; c += 16) v128.store(q + c, f32x4.add(v128.load(p + c), v128.load(bias + c)));
    p += rowBytes;
    q += rowBytes;
  }
}
