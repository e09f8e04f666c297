import { toGray, type GrayImage, type ImageLike } from "@microexp/infer";
import { beforeAll, describe, expect, it } from "vitest";
import { panFrames } from "../../../test-support/pan-frames.js";
import type { Cascade } from "../src/cascade/compile.js";
import { loadCascade } from "../src/cascade/shipped.js";
import { detectFaces } from "../src/detect/detect-faces.js";
import { PAPER_DETECT_OPTIONS } from "../src/paper-face.js";
import { FaceTracker, overlap } from "../src/track/face-tracker.js";
import { FIXTURES } from "./fixtures.js";
import sharp from "sharp";

/** A gray frame faded to 18 % contrast around mid-gray (sharp's linear). */
async function fade(frame: GrayImage): Promise<GrayImage> {
  const data = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 1 } })
    .linear(0.18, 128 * 0.82).extractChannel(0).raw().toBuffer();
  return { width: frame.width, height: frame.height, data: new Uint8Array(data), channels: 1 };
}

const ASTRONAUT = `${FIXTURES}astronaut.png`;

let cascade: Cascade;
let rgbFrames: ImageLike[];
let frames: GrayImage[];
beforeAll(async () => {
  cascade = await loadCascade();
  rgbFrames = await panFrames(ASTRONAUT);
  frames = rgbFrames.map((f) => toGray(f));
});

/** The paper's detector's first box: where the tracker should put the face. */
function paperBox(frame: GrayImage) {
  const [first] = detectFaces(frame, cascade, PAPER_DETECT_OPTIONS);
  return first;
}

describe("FaceTracker", () => {
  it("follows the one face of a panning video with the paper's detector's box in every frame, and no other face", async () => {
    const tracker = new FaceTracker(cascade);
    const ids = new Set<number>();
    // Twice through the loop: the second pass runs on known faces.
    for (const [i, frame] of [...frames, ...frames].entries()) {
      const faces = tracker.update(frame);
      expect(faces, `frame ${i}`).toHaveLength(1);
      ids.add(faces[0].id);
      const { x, y, width, height } = paperBox(frame);
      expect(faces[0], `frame ${i}`).toMatchObject({ box: { x, y, width, height }, exact: true });
    }
    expect([...ids]).toEqual([1]);
  });

  it("keeps following a face the paper's detector misses, with the looser look (exact: false)", async () => {
    // A faded face: the paper's detector finds nothing, the looser look still does.
    const faded: GrayImage[] = [];
    for (const frame of frames.slice(0, 4)) faded.push(await fade(frame));
    const tracker = new FaceTracker(cascade);
    const [first] = tracker.update(frames[0]);
    expect(first.exact).toBe(true);
    expect(faded.map((f) => detectFaces(f, cascade, PAPER_DETECT_OPTIONS).length), "faces the paper's detector finds").toEqual([0, 0, 0, 0]);
    for (const [i, frame] of faded.entries()) {
      const faces = tracker.update(frame);
      expect(faces, `faded frame ${i}`).toHaveLength(1);
      expect(faces[0].id).toBe(first.id);
      expect(faces[0].exact).toBe(false);
      expect(overlap(faces[0].box, first.box)).toBeGreaterThan(0.5);
    }
  });

  it("finds nothing in a blank frame, and drops a face `patience` frames after it is gone", async () => {
    const tracker = new FaceTracker(cascade, { patience: 2 });
    const blank: GrayImage = { width: 640, height: 480, data: new Uint8Array(640 * 480).fill(128), channels: 1 };
    expect(tracker.update(blank)).toEqual([]);
    const seen = tracker.update(frames[0]);
    expect(seen).toHaveLength(1);
    // Unseen for two frames: still reported where it was last seen (not exact); the third frame drops it.
    const unseen = seen.map((face) => ({ ...face, exact: false }));
    expect(tracker.update(blank)).toEqual(unseen);
    expect(tracker.update(blank)).toEqual(unseen);
    expect(tracker.update(blank)).toEqual([]);
  });

  it("gives the same boxes for RGB frames as for their gray conversion", () => {
    const fromGray = new FaceTracker(cascade);
    const fromRgb = new FaceTracker(cascade);
    for (const [i, frame] of rgbFrames.slice(0, 25).entries()) {
      expect(fromRgb.update(frame), `frame ${i}`).toEqual(fromGray.update(frames[i]));
    }
  });

  it("reset() forgets the faces (a new face gets a new id)", async () => {
    const tracker = new FaceTracker(cascade);
    const [first] = tracker.update(frames[0]);
    tracker.reset();
    const [again] = tracker.update(frames[0]);
    expect(again.box).toEqual(first.box);
    expect(again.id).not.toBe(first.id);
  });

  it("rejects options it cannot work with, naming them", async () => {
    expect(() => new FaceTracker(cascade, { faceSize: 10 })).toThrow(/faceSize must be at least the cascade's window \(24\)/);
    expect(() => new FaceTracker(cascade, { searchEvery: 0 })).toThrow(/searchEvery/);
    expect(() => new FaceTracker(cascade, { margin: -1 })).toThrow(/margin/);
    expect(() => new FaceTracker(cascade, { patience: 1.5 })).toThrow(/patience/);
  });
});

describe("overlap", () => {
  it("is intersection over union", () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    expect(overlap(a, a)).toBe(1);
    expect(overlap(a, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150);
    expect(overlap(a, { x: 10, y: 0, width: 10, height: 10 })).toBe(0);
  });
});
