import { beforeAll, describe, expect, it } from "vitest";
import { grayImage, resizeBilinear, toGray } from "../../src/image/index.js";
import { loadFixturePhoto } from "./fixture.js";
import { cvResize, firstDifference, loadOpenCv, randomBytes, seededRandom, type OpenCv } from "./opencv.js";

let cv: OpenCv;
beforeAll(async () => {
  ({ cv } = await loadOpenCv());
});

type Case = readonly [srcW: number, srcH: number, dstW: number, dstH: number];

function expectSameAsOpenCv(data: Uint8Array, [srcW, srcH, dstW, dstH]: Case): void {
  const ours = resizeBilinear(grayImage(srcW, srcH, data), dstW, dstH);
  expect([ours.width, ours.height]).toEqual([dstW, dstH]);
  const diff = firstDifference(ours.data, cvResize(cv, data, srcW, srcH, dstW, dstH));
  if (diff) expect.fail(`${srcW}x${srcH} -> ${dstW}x${dstH}: ${diff}`);
}

describe("resizeBilinear is bit-exact with cv.resize(INTER_LINEAR)", () => {
  const random = seededRandom(42);

  const named: Case[] = [
    [256, 256, 84, 84], [224, 224, 84, 84], [95, 95, 256, 256], [512, 512, 256, 256],
    [640, 480, 320, 240], [641, 481, 320, 240], [100, 60, 50, 30], [4, 4, 2, 2], [2, 2, 1, 1],
    [640, 480, 492, 369], [640, 480, 291, 218], [7, 5, 13, 11], [13, 11, 7, 5],
    [1, 1, 5, 5], [5, 5, 1, 1], [1, 9, 4, 3], [9, 1, 3, 4], [1, 1, 1, 1], [10, 10, 10, 10],
    [30, 20, 30, 7], [30, 20, 9, 20], [3, 300, 300, 3], [64, 64, 21, 128],
  ];
  it.each(named)("%ix%i -> %ix%i", (srcW, srcH, dstW, dstH) => {
    expectSameAsOpenCv(randomBytes(random, srcW * srcH), [srcW, srcH, dstW, dstH]);
  });

  it("on 400 random sizes (up, down, mixed, exact halving, 1-pixel edges)", () => {
    const side = (): number => {
      const r = random();
      if (r < 0.1) return 1;
      if (r < 0.2) return 2 + Math.floor(random() * 4);
      return 1 + Math.floor(random() * 320);
    };
    for (let i = 0; i < 400; i++) {
      const srcW = side(), srcH = side();
      const halve = random() < 0.15;
      const c: Case = halve ? [srcW * 2, srcH * 2, srcW, srcH] : [srcW, srcH, side(), side()];
      expectSameAsOpenCv(randomBytes(random, c[0] * c[1]), c);
    }
  });

  it("on the fixture photo", () => {
    const gray = toGray(loadFixturePhoto());
    for (const [w, h] of [[256, 256], [84, 84], [100, 100], [37, 151], [400, 400], [199, 201]]) {
      expectSameAsOpenCv(gray.data, [gray.width, gray.height, w, h]);
    }
  });
});

describe("resizeBilinear", () => {
  it("writes into the given buffer", () => {
    const into = new Uint8Array(100);
    const out = resizeBilinear(grayImage(2, 2, new Uint8Array([0, 255, 255, 0])), 4, 4, into);
    expect(out.data.buffer).toBe(into.buffer);
    expect(out.data.length).toBe(16);
  });

  it("rejects bad sizes and short buffers", () => {
    const src = grayImage(2, 2, new Uint8Array(4));
    expect(() => resizeBilinear(src, 0, 4)).toThrow(/resizeBilinear target: size must be positive integers, got 0x4/);
    expect(() => resizeBilinear(src, 4, Number.NaN)).toThrow(/positive integers/);
    expect(() => resizeBilinear(src, 4, 4, new Uint8Array(15))).toThrow(/output buffer has 15 bytes, needs 16/);
    expect(() => resizeBilinear(grayImage(2, 2, new Uint8Array(3)), 4, 4)).toThrow(/needs 4 bytes, got 3/);
  });
});
