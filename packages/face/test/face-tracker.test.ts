import { toGray, type GrayImage, type ImageLike } from "@microexp/infer";
import { beforeAll, describe, expect, it } from "vitest";
import { panFrames } from "../../../test-support/pan-frames.js";
import type { Cascade } from "../src/cascade/compile.js";
import { loadCascade } from "../src/cascade/shipped.js";
import { detectFaces } from "../src/detect/detect-faces.js";
import { PAPER_DETECT_OPTIONS } from "../src/paper-face.js";
import { FaceTracker, overlap } from "../src/track/face-tracker.js";
import { FIXTURES } from "./fixtures.js";

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
  it("follows the one face of a panning video, where the paper's detector puts it, with no other", async () => {
    const tracker = new FaceTracker(cascade);
    const ids = new Set<number>();
    // Twice through the loop: the second pass runs on known faces.
    for (const [i, frame] of [...frames, ...frames].entries()) {
      const faces = tracker.update(frame);
      expect(faces, `frame ${i}`).toHaveLength(1);
      ids.add(faces[0].id);
      const paper = paperBox(frame);
      expect(overlap(faces[0].box, paper), `frame ${i}: ${JSON.stringify(faces[0].box)} vs ${JSON.stringify(paper)}`).toBeGreaterThan(0.7);
    }
    expect([...ids]).toEqual([1]);
  });

  it("finds nothing in a blank frame, and drops a face `patience` frames after it is gone", async () => {
    const tracker = new FaceTracker(cascade, { patience: 2 });
    const blank: GrayImage = { width: 640, height: 480, data: new Uint8Array(640 * 480).fill(128), channels: 1 };
    expect(tracker.update(blank)).toEqual([]);
    const seen = tracker.update(frames[0]);
    expect(seen).toHaveLength(1);
    // Unseen for two frames: still reported where it was last seen; the third frame drops it.
    expect(tracker.update(blank)).toEqual(seen);
    expect(tracker.update(blank)).toEqual(seen);
    expect(tracker.update(blank)).toEqual([]);
  });

  it("gives the same boxes for RGB frames as for their gray conversion (it reads only the pixels it needs)", () => {
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
