// Re-lays the network's TF-layout tensors out for the kernels in assembly/ (see the comments
// there): conv weights in blocks of 16 output channels, fc1 columns padded to a multiple of
// 16, fc2 transposed so each logit is one dot product.

/** Round up to the multiple of 16 floats (4 x f32x4) the dense kernels work in. */
export function paddedWidth(width: number): number {
  return Math.ceil(width / 16) * 16;
}

/** HWIO [kernel][kernel][cin][cout] -> [cout / 16][kernel][kernel * cin][16]. */
export function packConvWeights(hwio: Float32Array, kernel: number, cin: number, cout: number): Float32Array {
  const taps = kernel * kernel * cin;
  const packed = new Float32Array(taps * cout);
  for (let block = 0; block < cout / 16; block++) {
    for (let tap = 0; tap < taps; tap++) {
      const from = tap * cout + block * 16;
      packed.set(hwio.subarray(from, from + 16), (block * taps + tap) * 16);
    }
  }
  return packed;
}

/** [rows][cols] -> [rows][paddedCols], the extra columns zero. */
export function padColumns(matrix: Float32Array, rows: number, cols: number, paddedCols: number): Float32Array {
  if (paddedCols === cols) return matrix;
  const padded = new Float32Array(rows * paddedCols);
  for (let r = 0; r < rows; r++) padded.set(matrix.subarray(r * cols, (r + 1) * cols), r * paddedCols);
  return padded;
}

/** [rows][cols] -> [cols][paddedRows], the extra entries zero. */
export function transposePadded(matrix: Float32Array, rows: number, cols: number, paddedRows: number): Float32Array {
  const transposed = new Float32Array(cols * paddedRows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) transposed[c * paddedRows + r] = matrix[r * cols + c];
  }
  return transposed;
}

/** Winograd weight transforms G: F(3x3, 4x4) for conv1 (points 0, 1, -1, 2, -2, inf; see assembly/conv1-winograd.ts). */
export const WINOGRAD_G_4x4 = [
  [1 / 4, 0, 0, 0],
  [1 / 6, 1 / 6, 1 / 6, 1 / 6],
  [1 / 6, -1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6, 1 / 3],
  [1 / 24, -1 / 12, 1 / 6, -1 / 3],
  [0, 0, 0, 1],
];
/** F(3x3, 2x2) for conv2 (points 0, 1, -1, inf; see assembly/conv2-winograd.ts). */
export const WINOGRAD_G_2x2 = [
  [1, 0],
  [1 / 2, 1 / 2],
  [1 / 2, -1 / 2],
  [0, 1],
];

/**
 * Weights of a stride-2 convolution HWIO [kernel][kernel][cin][cout], for the Winograd kernels:
 * stride phase (r, s) has the sub-kernel g[ka][kb] = w[2ka + r][2kb + s] (kernel / 2 square),
 * transformed to G g G^T (computed in double precision) and packed
 * [cout / 16][positions][4 phases * cin][16], phase = 2r + s, positions = G.length^2.
 */
export function packWinogradStride2(hwio: Float32Array, kernel: number, cin: number, cout: number, G: number[][]): Float32Array {
  const half = kernel / 2;
  const points = G.length;
  const taps = 4 * cin;
  const packed = new Float32Array(points * points * taps * cout);
  const g = new Float64Array(half * half);
  const gG = new Float64Array(points * half); // G g
  for (let co = 0; co < cout; co++) {
    const block = Math.floor(co / 16);
    for (let phase = 0; phase < 4; phase++) {
      const r = phase >> 1;
      const s = phase & 1;
      for (let ci = 0; ci < cin; ci++) {
        for (let ka = 0; ka < half; ka++) {
          for (let kb = 0; kb < half; kb++) g[ka * half + kb] = hwio[(((2 * ka + r) * kernel + 2 * kb + s) * cin + ci) * cout + co];
        }
        for (let a = 0; a < points; a++) {
          for (let kb = 0; kb < half; kb++) {
            let sum = 0;
            for (let ka = 0; ka < half; ka++) sum += G[a][ka] * g[ka * half + kb];
            gG[a * half + kb] = sum;
          }
        }
        for (let a = 0; a < points; a++) {
          for (let b = 0; b < points; b++) {
            let sum = 0;
            for (let kb = 0; kb < half; kb++) sum += gG[a * half + kb] * G[b][kb];
            packed[((block * points * points + a * points + b) * taps + phase * cin + ci) * 16 + (co % 16)] = sum;
          }
        }
      }
    }
  }
  return packed;
}
