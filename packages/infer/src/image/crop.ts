import { checkImage, grayImage } from "./check.js";
import type { Box, GrayImage } from "./types.js";

/**
 * The integer pixel rectangle a box covers inside a width x height image: edges are rounded
 * to the nearest pixel and clamped to the image. Throws a RangeError (its message starts
 * with `what`) on a non-finite box or one that is empty once clamped.
 */
export function clampBox(box: Box, width: number, height: number, what = "crop"): Box {
  const { x, y, width: w, height: h } = box;
  if (![x, y, w, h].every(Number.isFinite)) {
    throw new RangeError(`${what}: box {x: ${x}, y: ${y}, width: ${w}, height: ${h}} is not finite`);
  }
  const left = Math.min(Math.max(Math.round(x), 0), width);
  const top = Math.min(Math.max(Math.round(y), 0), height);
  const right = Math.min(Math.max(Math.round(x + w), 0), width);
  const bottom = Math.min(Math.max(Math.round(y + h), 0), height);
  if (right <= left || bottom <= top) {
    throw new RangeError(
      `${what}: box {x: ${x}, y: ${y}, width: ${w}, height: ${h}} is empty inside the ${width}x${height} image`,
    );
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** Copies the part of a gray image inside `box` (clamped to the image, see clampBox). */
export function crop(gray: GrayImage, box: Box): GrayImage {
  checkImage(gray, "crop");
  const r = clampBox(box, gray.width, gray.height);
  const out = new Uint8Array(r.width * r.height);
  for (let row = 0; row < r.height; row++) {
    const from = (r.y + row) * gray.width + r.x;
    out.set(gray.data.subarray(from, from + r.width), row * r.width);
  }
  return grayImage(r.width, r.height, out);
}
