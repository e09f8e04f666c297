// Writes a YUV4MPEG2 video (I420, the format Chromium's fake camera plays from
// --use-file-for-fake-video-capture) from RGB frames.
import { open } from "node:fs/promises";
import type { ImageLike } from "@microexp/infer";

/** RGB (3 bytes a pixel) to the three I420 planes, BT.601 limited range as Chromium reads y4m. */
export function rgbToI420(rgb: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  if (width % 2 || height % 2) throw new RangeError(`I420 needs an even size, got ${width}x${height}`);
  const out = new Uint8Array((width * height * 3) / 2);
  const uStart = width * height, vStart = uStart + (width * height) / 4;
  for (let i = 0; i < width * height; i++) {
    out[i] = Math.round((66 * rgb[3 * i] + 129 * rgb[3 * i + 1] + 25 * rgb[3 * i + 2]) / 256) + 16;
  }
  // Chroma is kept for each 2x2 block: the block's mean colour.
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let r = 0, g = 0, b = 0;
      for (const p of [y * width + x, y * width + x + 1, (y + 1) * width + x, (y + 1) * width + x + 1]) {
        r += rgb[3 * p] / 4;
        g += rgb[3 * p + 1] / 4;
        b += rgb[3 * p + 2] / 4;
      }
      const c = (y / 2) * (width / 2) + x / 2;
      out[uStart + c] = Math.round((-38 * r - 74 * g + 112 * b) / 256) + 128;
      out[vStart + c] = Math.round((112 * r - 94 * g - 18 * b) / 256) + 128;
    }
  }
  return out;
}

/** Writes the frames (RGB, all one even size) as a y4m file at `fps` frames per second. */
export async function writeY4m(path: string, frames: readonly ImageLike[], fps: number): Promise<void> {
  if (frames.length === 0) throw new RangeError("writeY4m: no frames");
  const { width, height } = frames[0];
  const file = await open(path, "w");
  try {
    await file.write(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    for (const [i, frame] of frames.entries()) {
      if (frame.width !== width || frame.height !== height || frame.channels !== 3) {
        throw new RangeError(`writeY4m: frame ${i} is ${frame.width}x${frame.height}x${frame.channels ?? 4}, not ${width}x${height}x3`);
      }
      await file.write("FRAME\n");
      await file.write(rgbToI420(frame.data, width, height));
    }
  } finally {
    await file.close();
  }
}

/** I420 planes back to RGB, as a browser shows the fake camera's frames (for tests in Node). */
export function i420ToRgb(yuv: Uint8Array, width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const uStart = width * height, vStart = uStart + (width * height) / 4;
  const clamp = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = (y >> 1) * (width / 2) + (x >> 1);
      const l = 1.164 * (yuv[y * width + x] - 16), u = yuv[uStart + c] - 128, v = yuv[vStart + c] - 128;
      const p = 3 * (y * width + x);
      rgb[p] = clamp(l + 1.596 * v);
      rgb[p + 1] = clamp(l - 0.392 * u - 0.813 * v);
      rgb[p + 2] = clamp(l + 2.017 * u);
    }
  }
  return rgb;
}
