import { describe, expect, it } from "vitest";
import { toGray } from "@microexp/infer";
import { SHIPPED_CASCADES, detectFaces, detectFacesNear, loadCascade } from "../src/index.js";
import { fixtureName, fixturePhotos, loadPhoto } from "./fixtures.js";
import { panFrames } from "../../../test-support/pan-frames.js";
import { seededRandom } from "../../../test-support/random.js";
import { detectionLevels, scanWindows } from "../src/detect/detect-faces.js";
import type { Detection } from "../src/detect/group.js";
import { levelRegion } from "../src/detect/scales.js";

// detectFacesNear against the full scan: around each box detectFaces returns, moved and
// resized as a tracker's guess would be, it must return that very box (same place, size and
// neighbour count) and nothing detectFaces does not return.

const settings = [
  { scaleFactor: 1.3, minNeighbors: 5 },
  { scaleFactor: 1.1, minNeighbors: 3 },
];

/**
 * Guesses around a true box: shifted by up to a fifth of its side, 0.6 to 1.7 times its size
 * (the smallest and largest reach only part of the face's windows at first: the search grows).
 */
function guesses(b: { x: number; y: number; width: number; height: number }) {
  return [[0, 0, 1], [0.2, -0.2, 0.8], [-0.2, 0.2, 1.25], [0.1, 0.15, 1.1], [0.1, 0.1, 0.6], [0, 0, 1.7]].map(([dx, dy, k]) => {
    const side = Math.round(b.width * k);
    return { x: Math.round(b.x + dx * b.width + (b.width - side) / 2), y: Math.round(b.y + dy * b.height + (b.height - side) / 2), width: side, height: side };
  });
}

describe.each(SHIPPED_CASCADES)("detectFacesNear with %s", (name) => {
  it.each(fixturePhotos().map((p) => [fixtureName(p), p]))("finds detectFaces's boxes on %s from guesses around them", async (_label, path) => {
    const [image, cascade] = await Promise.all([loadPhoto(path), loadCascade(name)]);
    const gray = toGray(image);
    for (const options of settings) {
      const full = detectFaces(gray, cascade, options);
      for (const face of full) {
        for (const guess of guesses(face)) {
          const near = detectFacesNear(gray, cascade, guess, options);
          expect(near, `${JSON.stringify(options)}: around ${JSON.stringify(guess)}`).toContainEqual(face);
          for (const box of near) expect(full).toContainEqual(box);
        }
      }
    }
  });
});

describe("detectFacesNear on a moving face", () => {
  it("gives the paper detector's box in every frame of a panned photo", async () => {
    const frames = await panFrames(fixturePhotos()[0]); // the astronaut
    const cascade = await loadCascade();
    let previous = detectFaces(frames[0], cascade, { scaleFactor: 1.3, minNeighbors: 5 })[0];
    expect(previous).toBeDefined();
    for (const [i, frame] of frames.entries()) {
      const full = detectFaces(frame, cascade, { scaleFactor: 1.3, minNeighbors: 5 });
      const near = detectFacesNear(frame, cascade, previous, { scaleFactor: 1.3, minNeighbors: 5 });
      expect(near, `frame ${i}`).toEqual(full);
      previous = near[0] ?? previous;
    }
  });

  it("refuses minNeighbors 0 and empty boxes", async () => {
    const cascade = await loadCascade();
    const image = await loadPhoto(fixturePhotos()[0]);
    expect(() => detectFacesNear(image, cascade, { x: 0, y: 0, width: 50, height: 50 }, { minNeighbors: 0 })).toThrow(/minNeighbors must be at least 1/);
    expect(() => detectFacesNear(image, cascade, { x: 0, y: 0, width: 0, height: 50 })).toThrow(/positive size/);
  });
});

describe("scanning part of a level (the search's regions)", () => {
  /** The full scan's windows of level i inside a region (level pixels). */
  function inside(windows: Detection[], scale: number, region: { first: number; end: number; keepFrom: number; right: number }) {
    return windows.filter((w) => {
      const x = Math.round(w.x / scale), y = Math.round(w.y / scale);
      return y >= region.first && y < region.end && x >= region.keepFrom && x < region.right;
    });
  }

  it.each(["haarcascade_frontalface_default", "lbpcascade_frontalface_improved"] as const)("gives the full scan's windows inside random regions (%s, both engines)", async (name) => {
    const cascade = await loadCascade(name);
    const random = seededRandom(31);
    let windows = 0;
    for (const path of fixturePhotos().slice(0, 3)) {
      const gray = toGray(await loadPhoto(path));
      const levels = detectionLevels(gray, cascade, {}, 1.2);
      for (const engine of ["wasm", "js"] as const) {
        const full = scanWindows(gray, cascade, levels, engine);
        for (let t = 0; t < 6; t++) {
          const x = random() * gray.width * 0.8, y = random() * gray.height * 0.8, size = 40 + random() * 150;
          const area = { left: x, right: x + size, top: y, bottom: y + size };
          const regions = levels.map((level) => levelRegion(level, level.height + 1 - cascade.windowHeight, level.width + 1 - cascade.windowWidth, area));
          const part = scanWindows(gray, cascade, levels, engine, (i) => regions[i]);
          levels.forEach((level, i) => {
            expect(part[i], `${fixtureName(path)} ${engine} level ${i} region ${JSON.stringify(regions[i])}`).toEqual(inside(full[i], level.scale, regions[i]));
            windows += part[i].length;
          });
        }
      }
    }
    expect(windows).toBeGreaterThan(20);
  });

  // Regions that start a little before a window. With stage 0 only, every window that passes it
  // is accepted, so a walk that went astray before the region (OpenCV skips the position after
  // a stage-0 rejection) would show in the windows.
  it.each(["haarcascade_frontalface_default", "lbpcascade_frontalface_improved"] as const)("walks each row as OpenCV does before the region (%s cut to stage 0, both engines)", async (name) => {
    const cascade = { ...(await loadCascade(name)), stageCount: 1 };
    let checked = 0;
    for (const path of fixturePhotos().slice(0, 2)) {
      const gray = toGray(await loadPhoto(path));
      const levels = detectionLevels(gray, cascade, {}, 1.2);
      for (const engine of ["wasm", "js"] as const) {
        const full = scanWindows(gray, cascade, levels, engine);
        levels.forEach((level, i) => {
          for (const w of full[i].filter((_w, k) => k % 251 === 0)) {
            const x = Math.round(w.x / level.scale), y = Math.round(w.y / level.scale);
            for (const before of [0, 1, 2, 3]) {
              const region = { first: y, end: y + 1, keepFrom: Math.max(0, x - before * level.step), right: x + 1 };
              const part = scanWindows(gray, cascade, levels, engine, (j) => (j === i ? region : undefined));
              expect(part[i], `${fixtureName(path)} ${engine} level ${i} row ${y} from ${region.keepFrom}`).toEqual(inside(full[i], level.scale, region));
              checked++;
            }
          }
        });
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});
