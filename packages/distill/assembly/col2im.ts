// col2im: scatter-adds patch columns back into an NHWC image (the adjoint of im2col), for
// channels a multiple of 4; the same loop as src/backend/col2im.ts, in SIMD. Row r of
// `cols` is the patch gradient of output pixel r (batch-major), laid out [kh, kw, channels].
export function col2im(
  cols: usize, image: usize, firstImage: i32, images: i32, height: i32, width: i32, channels: i32,
  outHeight: i32, outWidth: i32, kh: i32, kw: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  let src = cols;
  for (let n = 0; n < images; n++) {
    const imageBase = (firstImage + n) * height;
    for (let y = 0; y < outHeight; y++) {
      const top = y * strideH - padTop;
      for (let x = 0; x < outWidth; x++) {
        const left = x * strideW - padLeft;
        for (let i = 0; i < kh; i++) {
          const ih = top + i;
          if (ih < 0 || ih >= height) {
            src += <usize>kw * pixelBytes;
            continue;
          }
          const rowBase = image + <usize>((imageBase + ih) * width) * pixelBytes;
          for (let j = 0; j < kw; j++) {
            const iw = left + j;
            if (iw >= 0 && iw < width) {
              const dst = rowBase + <usize>iw * pixelBytes;
              for (let c: usize = 0; c < pixelBytes; c += 16) v128.store(dst + c, f32x4.add(v128.load(dst + c), v128.load(src + c)));
            }
            src += pixelBytes;
          }
        }
      }
    }
  }
}
