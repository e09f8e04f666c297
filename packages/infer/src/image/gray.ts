import { checkImage, grayImage } from "./check.js";
import type { GrayImage, ImageLike } from "./types.js";

// OpenCV's 8-bit RGB -> gray uses 15-bit fixed-point weights (0.299, 0.587, 0.114 scaled by
// 2^15 and rounded) and rounds the sum half up; these values match cv.cvtColor bit for bit.
const R_WEIGHT = 9798;
const G_WEIGHT = 19235;
const B_WEIGHT = 3735;
const SHIFT = 15;
const HALF = 1 << (SHIFT - 1);

/**
 * Converts an image to 8-bit gray exactly as OpenCV's cvtColor(RGB2GRAY / RGBA2GRAY) does
 * (alpha is ignored). A one-channel image is returned without copying its pixels.
 */
export function toGray(image: ImageLike): GrayImage {
  const channels = checkImage(image, "toGray");
  const { width, height, data } = image;
  if (channels === 1) {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
    return grayImage(width, height, bytes);
  }
  const n = width * height;
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    out[i] = (data[j] * R_WEIGHT + data[j + 1] * G_WEIGHT + data[j + 2] * B_WEIGHT + HALF) >> SHIFT;
  }
  return grayImage(width, height, out);
}
