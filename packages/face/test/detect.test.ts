import { beforeAll, describe, expect, it } from "vitest";
import { grayImage, toGray, type ImageLike } from "@microexp/infer";
import { DETECT_PRESETS, PAPER_DETECT_OPTIONS, detectFaces, detectFacesNear, detectRawWindows, findPaperFace, loadCascade, type Cascade } from "../src/index.js";
import { FIXTURES, fixtureName, fixturePhotos, loadPhoto } from "./fixtures.js";
import { loadOpenCv, openCvCascade, openCvDetect, type OpenCv } from "./opencv.js";
import { seededRandom } from "../../../test-support/random.js";

let cv: OpenCv;
let paper: Cascade;
let astronaut: ImageLike;
beforeAll(async () => {
  ({ cv } = await loadOpenCv());
  paper = await loadCascade();
  astronaut = await loadPhoto(`${FIXTURES}astronaut.png`);
});

describe("detectFaces", () => {
  it.each(fixturePhotos().filter((p) => p.includes("london")).map((p) => [fixtureName(p), p]))(
    "finds the one face in London Set sample %s with the paper's settings", async (_name, path) => {
      const faces = detectFaces(await loadPhoto(path), paper, PAPER_DETECT_OPTIONS);
      expect(faces).toHaveLength(1);
      // Head-and-shoulders 540x540 portraits: the face is large and in the upper middle.
      const [f] = faces;
      expect(f.width).toBeGreaterThan(120);
      expect(f.x + f.width / 2).toBeGreaterThan(200);
      expect(f.x + f.width / 2).toBeLessThan(340);
    });

  it("agrees with opencv-js under minSize and maxSize", () => {
    const classifier = openCvCascade(cv, "haarcascade_frontalface_default");
    for (const [minSize, maxSize] of [[{ width: 80, height: 80 }, undefined], [undefined, { width: 60, height: 60 }], [{ width: 30, height: 40 }, { width: 200, height: 150 }]]) {
      const options = { scaleFactor: 1.2, minNeighbors: 2, minSize, maxSize };
      const ours = detectFaces(astronaut, paper, options).map(({ x, y, width, height }) => ({ x, y, width, height }));
      expect(ours).toEqual(openCvDetect(cv, classifier, astronaut, options));
    }
  });

  it("gives the same boxes from RGB and from its gray version", () => {
    const fromRgb = detectFaces(astronaut, paper, PAPER_DETECT_OPTIONS);
    expect(fromRgb).toHaveLength(1);
    expect(fromRgb[0].neighbors).toBeGreaterThan(5);
    expect(detectFaces(toGray(astronaut), paper, PAPER_DETECT_OPTIONS)).toEqual(fromRgb);
  });

  it("finds nothing in noise, a flat image or an image smaller than the window", () => {
    const random = seededRandom(3);
    const noise = grayImage(160, 120, Uint8Array.from({ length: 160 * 120 }, () => Math.floor(random() * 256)));
    expect(detectFaces(noise, paper, PAPER_DETECT_OPTIONS)).toEqual([]);
    expect(detectFaces(grayImage(100, 100, new Uint8Array(100 * 100).fill(128)), paper)).toEqual([]);
    expect(detectFaces(grayImage(20, 30, new Uint8Array(600)), paper)).toEqual([]);
    expect(findPaperFace(noise, paper)).toBeNull();
  });

  it("takes the paper's settings, or OpenCV's defaults, by a preset's name", () => {
    expect(DETECT_PRESETS.paper).toBe(PAPER_DETECT_OPTIONS);
    expect(detectFaces(astronaut, paper, "paper")).toEqual(detectFaces(astronaut, paper, { scaleFactor: 1.3, minNeighbors: 5 }));
    expect(detectFaces(astronaut, paper, "opencv")).toEqual(detectFaces(astronaut, paper, { scaleFactor: 1.1, minNeighbors: 3 }));
    expect(detectRawWindows(astronaut, paper, "paper")).toEqual(detectRawWindows(astronaut, paper, PAPER_DETECT_OPTIONS));
    const near = { x: 185, y: 60, width: 100, height: 100 };
    expect(detectFacesNear(astronaut, paper, near, "paper")).toEqual(detectFacesNear(astronaut, paper, near, PAPER_DETECT_OPTIONS));
    // @ts-expect-error: not a preset
    expect(() => detectFaces(astronaut, paper, "fast")).toThrow('detectFaces: unknown preset "fast"; presets: paper, opencv');
  });

  it("rejects bad options", () => {
    expect(() => detectFaces(astronaut, paper, { scaleFactor: 1 })).toThrow("detectFaces: scaleFactor must be a number above 1, got 1");
    expect(() => detectFaces(astronaut, paper, { minNeighbors: -1 })).toThrow(/minNeighbors must be a non-negative integer/);
    expect(() => detectFaces(astronaut, paper, { minSize: { width: 1.5, height: 2 } })).toThrow(/minSize must be whole non-negative pixels/);
    // @ts-expect-error: not an engine
    expect(() => detectFaces(astronaut, paper, { engine: "gpu" })).toThrow(/engine must be "auto", "wasm" or "js"/);
  });
});
