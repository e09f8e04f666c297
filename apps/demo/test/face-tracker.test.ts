import { loadCascade } from "@microexp/face";
import { toGray, type GrayImage } from "@microexp/infer";
import { beforeAll, describe, expect, it } from "vitest";
import { findFaces } from "../src/analyze.js";
import { FaceTracker, overlap } from "../src/face-tracker.js";
import { ASTRONAUT, loadModels } from "./helpers/models.js";
import { panFrames } from "./helpers/pan-frames.js";

let frames: GrayImage[];
beforeAll(async () => {
  frames = (await panFrames(ASTRONAUT)).map((f) => toGray(f));
});

describe("FaceTracker", () => {
  it("follows the one face of a panning video, where the paper's detector puts it, with no other", async () => {
    const { cascade } = await loadModels();
    const tracker = new FaceTracker(cascade);
    const ids = new Set<number>();
    // Twice through the loop: the second pass runs on known faces.
    for (const [i, frame] of [...frames, ...frames].entries()) {
      const faces = tracker.update(frame);
      expect(faces, `frame ${i}`).toHaveLength(1);
      ids.add(faces[0].id);
      const [paper] = findFaces(frame, cascade);
      expect(overlap(faces[0].box, paper), `frame ${i}: ${JSON.stringify(faces[0].box)} vs ${JSON.stringify(paper)}`).toBeGreaterThan(0.7);
    }
    expect([...ids]).toEqual([1]);
  });

  it("finds nothing in a blank frame, and drops a face `patience` frames after it is gone", async () => {
    const { cascade } = await loadModels();
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

  it("reset() forgets the faces (a new face gets a new id)", async () => {
    const { cascade } = await loadModels();
    const tracker = new FaceTracker(cascade);
    const [first] = tracker.update(frames[0]);
    tracker.reset();
    const [again] = tracker.update(frames[0]);
    expect(again.box).toEqual(first.box);
    expect(again.id).not.toBe(first.id);
  });

  it("rejects options it cannot work with, naming them", async () => {
    const cascade = await loadCascade();
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
