import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { humanEmotionInput } from "../src/human-input.mjs";
import { cropRgb, largestBox } from "../src/pixels.mjs";

describe("cropRgb", () => {
  it("replicates gray into RGB, whole image by default", () => {
    const gray = { width: 2, height: 2, channels: 1, data: Uint8Array.from([1, 2, 3, 4]) };
    const rgb = cropRgb(gray);
    expect([rgb.width, rgb.height]).toEqual([2, 2]);
    expect([...rgb.data]).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
  });

  it("cuts the box out of RGBA, drops alpha and clips at the borders", () => {
    const data = new Uint8Array(3 * 2 * 4).map((_, i) => i);
    const face = cropRgb({ width: 3, height: 2, data }, { x: 1, y: 1, width: 5, height: 5 });
    expect([face.width, face.height]).toEqual([2, 1]);
    expect([...face.data]).toEqual([16, 17, 18, 20, 21, 22]);
  });

  it("names a bad image or box", () => {
    expect(() => cropRgb({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) })).toThrow(/5 values, expected 2x2x3/);
    expect(() => cropRgb({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) }, { x: 5, y: 0, width: 2, height: 2 })).toThrow(/outside the 2x2 image/);
  });
});

describe("largestBox", () => {
  it("keeps the biggest face, or null", () => {
    expect(largestBox([{ x: 0, y: 0, width: 10, height: 10, neighbors: 9 }, { x: 5, y: 5, width: 20, height: 20, neighbors: 6 }])).toEqual({ x: 5, y: 5, width: 20, height: 20 });
    expect(largestBox([])).toBeNull();
  });
});

describe("human's emotion input", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("is a [1, 64, 64, 1] gray face in -1..1, left still left", () => {
    // 48x48 face: left half black, right half white
    const face = { width: 48, height: 48, data: new Uint8Array(48 * 48 * 3).map((_, i) => (Math.floor(i / 3) % 48 < 24 ? 0 : 255)) };
    const input = humanEmotionInput(tf, face, 192, 64);
    expect(input.shape).toEqual([1, 64, 64, 1]);
    const values = input.dataSync();
    expect(values[0]).toBeCloseTo(-1, 5);
    expect(values[63]).toBeCloseTo(2 * (0.2989 + 0.587 + 0.114) - 1, 5);
    input.dispose();
  });

  it("maps mid gray near 0 with human's luma weights", () => {
    const face = { width: 30, height: 20, data: new Uint8Array(30 * 20 * 3).fill(128) };
    const input = humanEmotionInput(tf, face, 192, 64);
    expect(input.shape).toEqual([1, 64, 64, 1]);
    expect(input.dataSync()[100]).toBeCloseTo(2 * ((128 / 255) * 0.9999) - 1, 5);
    input.dispose();
  });
});
