// Copies one single-channel image into a zero-bordered buffer, so convolution windows
// need no bounds checks. Only the interior is written: the caller zeroes the buffer once.
export function padImage(
  src: usize, height: i32, width: i32, dst: usize, paddedHeight: i32, paddedWidth: i32, top: i32, left: i32,
): void {
  // Input rows/cols that land inside the padded frame (VALID may crop the bottom/right).
  const rows = min(height, paddedHeight - top);
  const cols = min(width, paddedWidth - left);
  if (rows <= 0 || cols <= 0) return;
  const rowBytes = <usize>width << 2;
  const paddedRowBytes = <usize>paddedWidth << 2;
  let s = src;
  let d = dst + ((<usize>top * <usize>paddedWidth + <usize>left) << 2);
  for (let r = 0; r < rows; r++) {
    memory.copy(d, s, <usize>cols << 2);
    s += rowBytes;
    d += paddedRowBytes;
  }
}
