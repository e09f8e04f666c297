/**
 * Integral images with one zero row and column in front (OpenCV's layout), `stride` =
 * width + 1: sum[(y + 1) * stride + x + 1] is the sum of pixels [0..y] x [0..x]. `squares`
 * (optional) gets the sums of squared pixels, wrapping at 32 bits like OpenCV's CV_32S
 * sums do; differences of four corners stay exact for any window up to 2^31.
 */
export function integralImages(
  pixels: Uint8Array, width: number, height: number, sums: Int32Array, squares?: Int32Array,
): void {
  const stride = width + 1;
  sums.fill(0, 0, stride);
  if (squares) squares.fill(0, 0, stride);
  for (let y = 0; y < height; y++) {
    const row = (y + 1) * stride;
    const above = row - stride;
    const src = y * width;
    sums[row] = 0;
    let rowSum = 0;
    if (squares) {
      squares[row] = 0;
      let rowSquares = 0;
      for (let x = 0; x < width; x++) {
        const v = pixels[src + x];
        rowSum += v;
        rowSquares += v * v;
        sums[row + x + 1] = sums[above + x + 1] + rowSum;
        squares[row + x + 1] = squares[above + x + 1] + rowSquares;
      }
    } else {
      for (let x = 0; x < width; x++) {
        rowSum += pixels[src + x];
        sums[row + x + 1] = sums[above + x + 1] + rowSum;
      }
    }
  }
}
