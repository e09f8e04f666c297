// Inputs at the edge of what detection can do: a scale factor so close to 1 that the pyramid
// would never end, and an image too large for the WebAssembly kernel's 32-bit memory.
import { beforeAll, describe, expect, it } from "vitest";
import { grayImage } from "@microexp/infer";
import { MAX_PYRAMID_LEVELS, detectFaces, detectFacesNear, loadCascade, type Cascade } from "../src/index.js";
import { pyramidLevels } from "../src/detect/scales.js";
import { FIXTURES, loadPhoto } from "./fixtures.js";

let paper: Cascade;
beforeAll(async () => {
  paper = await loadCascade();
});

const NO_LIMITS = { minWidth: 0, minHeight: 0, maxWidth: 0, maxHeight: 0 };

describe("the pyramid is bounded", () => {
  it("rejects a scale factor that would build more levels than the bound, saying which factor would do", async () => {
    const astronaut = await loadPhoto(`${FIXTURES}astronaut.png`);
    // Before: 1 + 2^-52 grew the pyramid one ulp at a time until memory ran out.
    for (const scaleFactor of [1.0000000000000002, 1 + 1e-9, 1.0001]) {
      expect(() => detectFaces(astronaut, paper, { scaleFactor })).toThrow(
        new RegExp(`^detectFaces: scaleFactor ${String(scaleFactor).replace(".", "\\.")} would scan \\d+ pyramid levels of this 512x512 image \\(at most ${MAX_PYRAMID_LEVELS}\\); use a scaleFactor of at least 1\\.000\\d+$`),
      );
      expect(() => detectFacesNear(astronaut, paper, { x: 200, y: 80, width: 100, height: 100 }, { scaleFactor })).toThrow(/would scan \d+ pyramid levels/);
    }
    const smallest = Number(/at least ([\d.]+)/.exec(String((() => { try { detectFaces(astronaut, paper, { scaleFactor: 1.0001 }); } catch (e) { return (e as Error).message; } })()))![1]);
    expect(pyramidLevels(512, 512, 24, 24, smallest, NO_LIMITS).length).toBeLessThanOrEqual(MAX_PYRAMID_LEVELS);
  });

  it("keeps every factor the bound allows, down to 1.001 on a 640x480 frame (2,999 levels)", () => {
    expect(pyramidLevels(640, 480, 24, 24, 1.001, NO_LIMITS)).toHaveLength(2999);
    expect(pyramidLevels(16000, 16000, 24, 24, 1.01, NO_LIMITS)).toHaveLength(654);
    expect(pyramidLevels(640, 480, 24, 24, 1.3, NO_LIMITS)).toHaveLength(12);
  });
});

describe("an image too large for the WebAssembly kernel", () => {
  it("a valid 16000x16000 image is scanned on the JavaScript path (auto), with a clear error for engine wasm", () => {
    // 256 MB of gray pixels; the kernel would need about 2.5 GB (image, level, two integral
    // images), past its 2 GB. minSize keeps the JavaScript scan to small levels.
    const size = 16000;
    const huge = grayImage(size, size, new Uint8Array(size * size).fill(128));
    for (let y = 0; y < size; y += 997) huge.data.fill(30, y * size, y * size + size); // some structure
    const options = { scaleFactor: 1.3, minNeighbors: 3, minSize: { width: 9000, height: 9000 } };
    // Before: "Invalid typed array length" from the kernel's memory layout (an int32 overflow).
    const auto = detectFaces(huge, paper, options);
    expect(auto).toEqual(detectFaces(huge, paper, { ...options, engine: "js" }));
    expect(() => detectFaces(huge, paper, { ...options, engine: "wasm" })).toThrow(
      "detectFaces: a 16000x16000 image does not fit the WebAssembly kernel's memory (2 GB, about 10 bytes a pixel); use engine \"auto\" or \"js\", or scale the image down",
    );
    // The kernel still serves images that fit.
    const small = grayImage(64, 64, new Uint8Array(64 * 64).fill(128));
    expect(detectFaces(small, paper, { engine: "wasm" })).toEqual([]);
  });
});
