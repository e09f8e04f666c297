// col2im: scatter-adds patch columns back into an NHWC image, the adjoint of im2col.
// Row r of `cols` is the patch gradient of output pixel r (batch-major), laid out like
// the filter's [kernelH, kernelW, channels] axes.

export interface PatchGeometry {
  height: number;
  width: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** Adds the patches of images [firstImage, firstImage + images) from `cols` into `image`. */
export function col2im(cols: Float32Array, image: Float32Array, firstImage: number, images: number, g: PatchGeometry): void {
  const { height, width, channels, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft } = g;
  const patch = kernelHeight * kernelWidth * channels;
  let row = 0;
  for (let n = 0; n < images; n++) {
    const imageBase = (firstImage + n) * height;
    for (let y = 0; y < outHeight; y++) {
      const top = y * strideHeight - padTop;
      for (let x = 0; x < outWidth; x++, row += patch) {
        const left = x * strideWidth - padLeft;
        for (let i = 0; i < kernelHeight; i++) {
          const ih = top + i;
          if (ih < 0 || ih >= height) continue;
          const rowBase = (imageBase + ih) * width;
          for (let j = 0; j < kernelWidth; j++) {
            const iw = left + j;
            if (iw < 0 || iw >= width) continue;
            const dst = (rowBase + iw) * channels;
            const src = row + (i * kernelWidth + j) * channels;
            for (let c = 0; c < channels; c++) image[dst + c] += cols[src + c];
          }
        }
      }
    }
  }
}
