import { beforeAll, describe, expect, it } from "vitest";
import { crop, grayCrop, toGray } from "../../src/image/index.js";
import { loadFixturePhoto } from "./fixture.js";
import { firstDifference, loadOpenCv, matFromBytes, randomBytes, seededRandom, type OpenCv } from "./opencv.js";

let cv: OpenCv;
beforeAll(async () => {
  ({ cv } = await loadOpenCv());
});

function cvGray(data: Uint8Array, width: number, height: number, channels: 3 | 4): Uint8Array {
  const src = matFromBytes(cv, data, width, height, channels);
  const dst = new cv.Mat();
  try {
    cv.cvtColor(src, dst, channels === 3 ? cv.COLOR_RGB2GRAY : cv.COLOR_RGBA2GRAY);
    return Uint8Array.from(dst.data);
  } finally {
    src.delete();
    dst.delete();
  }
}

describe("toGray", () => {
  it("matches cv.cvtColor(RGB2GRAY) on every one of the 2^24 RGB colours", () => {
    const data = new Uint8Array(256 * 256 * 3);
    for (let red = 0; red < 256; red++) {
      for (let i = 0; i < 65536; i++) {
        data[i * 3] = red;
        data[i * 3 + 1] = i >> 8;
        data[i * 3 + 2] = i & 255;
      }
      const ours = toGray({ width: 256, height: 256, data, channels: 3 }).data;
      const diff = firstDifference(ours, cvGray(data, 256, 256, 3));
      if (diff) expect.fail(`red ${red}: ${diff}`);
    }
  });

  it("matches cv.cvtColor(RGBA2GRAY) on random RGBA images (channels default to 4, alpha ignored)", () => {
    const random = seededRandom(1);
    for (const [width, height] of [[1, 1], [3, 7], [640, 480], [33, 1]]) {
      const data = randomBytes(random, width * height * 4);
      const ours = toGray({ width, height, data: new Uint8ClampedArray(data) });
      expect(ours.channels).toBe(1);
      expect(firstDifference(ours.data, cvGray(data, width, height, 4))).toBeUndefined();
    }
  });

  it("matches OpenCV on the fixture photo", () => {
    const photo = loadFixturePhoto();
    const ours = toGray(photo).data;
    expect(firstDifference(ours, cvGray(photo.data as Uint8Array, photo.width, photo.height, 3))).toBeUndefined();
  });

  it("returns a one-channel image without copying it", () => {
    const data = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(toGray({ width: 3, height: 2, data, channels: 1 }).data).toBe(data);
    const clamped = new Uint8ClampedArray([7, 8]);
    const gray = toGray({ width: 2, height: 1, data: clamped, channels: 1 });
    expect(gray.data.buffer).toBe(clamped.buffer);
    expect(Array.from(gray.data)).toEqual([7, 8]);
  });

  it("grayCrop converts only a region, equal to converting everything then cropping", () => {
    const random = seededRandom(2);
    for (const channels of [1, 3, 4] as const) {
      const image = { width: 37, height: 23, data: randomBytes(random, 37 * 23 * channels), channels };
      for (const box of [{ x: 5, y: 3, width: 20, height: 11 }, { x: -4, y: 10, width: 100, height: 100 }, { x: 0, y: 0, width: 37, height: 23 }]) {
        const region = grayCrop(image, box);
        const whole = crop(toGray(image), box);
        expect([region.width, region.height]).toEqual([whole.width, whole.height]);
        expect(firstDifference(region.data, whole.data)).toBeUndefined();
      }
    }
    expect(() => grayCrop({ width: 2, height: 2, data: new Uint8Array(16) }, { x: 5, y: 0, width: 1, height: 1 })).toThrow(/^grayCrop: box .* is empty inside the 2x2 image/);
  });

  it("rejects buffers whose size does not match", () => {
    expect(() => toGray({ width: 2, height: 2, data: new Uint8Array(12) })).toThrow(/2x2 image with 4 channel\(s\) needs 16 bytes, got 12/);
    expect(() => toGray({ width: 0, height: 2, data: new Uint8Array(0) })).toThrow(/positive integers/);
    expect(() => toGray({ width: 1.5, height: 2, data: new Uint8Array(12), channels: 4 })).toThrow(/positive integers/);
  });
});
