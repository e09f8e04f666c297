// Copies one NHWC image into a zero-bordered buffer, so convolution windows need no bounds
// checks. Only the interior is written: the caller zeroes the buffer once.
export function padImage(
  src: usize, height: i32, width: i32, channels: i32, dst: usize, paddedHeight: i32, paddedWidth: i32, top: i32, left: i32,
): void {
  // Input rows/cols that land inside the padded frame (VALID may crop the bottom/right).
  const rows = min(height, paddedHeight - top);
  const cols = min(width, paddedWidth - left);
  if (rows <= 0 || cols <= 0) return;
  const pixelBytes = <usize>channels << 2;
  const rowBytes = <usize>width * pixelBytes;
  const paddedRowBytes = <usize>paddedWidth * pixelBytes;
  let s = src;
  let d = dst + (<usize>top * <usize>paddedWidth + <usize>left) * pixelBytes;
  for (let r = 0; r < rows; r++) {
    memory.copy(d, s, <usize>cols * pixelBytes);
    s += rowBytes;
    d += paddedRowBytes;
  }
}
