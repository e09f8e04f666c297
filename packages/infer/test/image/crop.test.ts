import { describe, expect, it } from "vitest";
import { clampBox, crop, grayImage } from "../../src/image/index.js";

// 4x3 image whose pixel value is 10 * row + col.
const image = grayImage(4, 3, Uint8Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4)));

describe("crop", () => {
  it("copies the rows and columns inside the box", () => {
    const out = crop(image, { x: 1, y: 1, width: 2, height: 2 });
    expect([out.width, out.height, out.channels]).toEqual([2, 2, 1]);
    expect(Array.from(out.data)).toEqual([11, 12, 21, 22]);
  });

  it("clamps the box to the image and rounds its edges to whole pixels", () => {
    expect(Array.from(crop(image, { x: -5, y: 2, width: 7, height: 9 }).data)).toEqual([20, 21]);
    expect(clampBox({ x: 0.6, y: 0.4, width: 2.2, height: 1.2 }, 4, 3)).toEqual({ x: 1, y: 0, width: 2, height: 2 });
    expect(crop(image, { x: 0, y: 0, width: 4, height: 3 }).data).toEqual(image.data);
  });

  it("does not share pixels with its source", () => {
    const out = crop(image, { x: 0, y: 0, width: 4, height: 3 });
    out.data[0] = 99;
    expect(image.data[0]).toBe(0);
  });

  it("rejects empty and non-finite boxes with the box in the message", () => {
    expect(() => crop(image, { x: 4, y: 0, width: 3, height: 3 })).toThrow(
      "crop: box {x: 4, y: 0, width: 3, height: 3} is empty inside the 4x3 image",
    );
    expect(() => crop(image, { x: 1, y: 1, width: 0, height: 1 })).toThrow(/is empty/);
    expect(() => crop(image, { x: 1, y: 1, width: -2, height: 1 })).toThrow(/is empty/);
    expect(() => crop(image, { x: Number.NaN, y: 0, width: 1, height: 1 })).toThrow(/x: NaN.* is not finite/);
    expect(() => crop(image, { x: 0, y: 0, width: Infinity, height: 1 })).toThrow(/not finite/);
  });
});
