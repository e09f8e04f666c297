import { beforeAll, describe, expect, it } from "vitest";
import { CROP_POLICIES, INPUT_SIZE, paperPolicyCrops, type Box, type CropPolicy, type FaceCropper, type ImageLike } from "../../src/image/index.js";
import { planCrop, planWindows } from "../../src/wasm/crop-plan.js";
import { createWasmCropper } from "../../src/wasm/crop-wasm.js";
import { wasmSimdSupported } from "../../src/wasm/simd-support.js";
import { firstDifference, randomBytes, seededRandom } from "./opencv.js";

const PIXELS = INPUT_SIZE * INPUT_SIZE;

let wasm: FaceCropper;
beforeAll(async () => {
  expect(wasmSimdSupported()).toBe(true); // Node >= 20 has SIMD: these tests must not skip silently
  wasm = (await createWasmCropper())!;
  expect(wasm.kind).toBe("wasm");
});

/** The wasm crops of one face, compared with the TypeScript reference; a message on the first difference. */
function compare(image: ImageLike, box: Box | undefined, policy: CropPolicy): string | undefined {
  const reference = paperPolicyCrops(image, box, policy);
  const out = new Float32Array((reference.length + 1) * PIXELS).fill(-1);
  wasm.cropInto(image, box, policy, out, PIXELS);
  if (out.subarray(0, PIXELS).some((v) => v !== -1)) return "wrote before `at`";
  for (let i = 0; i < reference.length; i++) {
    const diff = firstDifference(out.subarray((i + 1) * PIXELS, (i + 2) * PIXELS), reference[i]);
    if (diff) return `input ${i}: ${diff}`;
  }
  return undefined;
}

function describeCase(image: ImageLike, box: Box | undefined, policy: CropPolicy): string {
  return `${image.width}x${image.height}x${image.channels ?? 4} box ${JSON.stringify(box)} ${policy}`;
}

describe("WebAssembly crop is bit-exact with the TypeScript reference", () => {
  const random = seededRandom(7);
  const image = (width: number, height: number, channels: 1 | 3 | 4): ImageLike => ({
    width, height, channels, data: randomBytes(random, width * height * channels),
  });

  it("on named sizes: identity (256), exact halving (512), tiny, thin, large, whole image", () => {
    const frame = image(640, 480, 4);
    const boxes: (Box | undefined)[] = [
      undefined, { x: 200, y: 100, width: 256, height: 256 }, { x: 10, y: 0, width: 512, height: 480 },
      { x: 64, y: -16, width: 512, height: 512 }, { x: 300, y: 200, width: 1, height: 1 },
      { x: 5, y: 5, width: 3, height: 200 }, { x: 5, y: 5, width: 300, height: 2 },
      { x: 100.4, y: 80.6, width: 180.3, height: 179.5 }, { x: 0, y: 0, width: 640, height: 480 },
    ];
    for (const policy of CROP_POLICIES) {
      for (const box of boxes) expect(compare(frame, box, policy), describeCase(frame, box, policy)).toBeUndefined();
    }
  });

  it("on 300 random images, channel counts and boxes (many partly outside the image)", () => {
    for (let n = 0; n < 300; n++) {
      const width = 1 + Math.floor(random() * (random() < 0.2 ? 8 : 700));
      const height = 1 + Math.floor(random() * (random() < 0.2 ? 8 : 600));
      const channels = ([1, 3, 4] as const)[n % 3];
      const picture = image(width, height, channels);
      const w = 1 + random() * width * 1.3, h = 1 + random() * height * 1.3;
      const box = random() < 0.1 ? undefined : { x: (random() - 0.2) * width, y: (random() - 0.2) * height, width: w, height: h };
      const policy = CROP_POLICIES[Math.floor(random() * CROP_POLICIES.length)];
      let missed = false;
      try {
        paperPolicyCrops(picture, box, policy);
      } catch {
        missed = true;
      }
      if (missed) {
        // Only boxes that miss the image throw, in both implementations.
        const out = new Float32Array(16 * PIXELS);
        expect(() => wasm.cropInto(picture, box, policy, out, 0)).toThrow(/crop: box .* is empty inside/);
        continue;
      }
      expect(compare(picture, box, policy), describeCase(picture, box, policy)).toBeUndefined();
    }
  });

  it("on boxes wider than the grouped SIMD taps reach (scalar taps), and on both paths in one image", () => {
    const wide = image(1600, 120, 4);
    const windows = planWindows([[32, 32]]);
    expect(planCrop(1600, 120, windows).columnsGrouped).toBe(false);
    expect(windows.columnsGrouped).toEqual([true]);
    expect(planCrop(200, 200, windows).columnsGrouped).toBe(true);
    for (const policy of CROP_POLICIES) {
      expect(compare(wide, undefined, policy), policy).toBeUndefined();
      expect(compare(wide, { x: 100, y: 10, width: 150, height: 100 }, policy), policy).toBeUndefined();
    }
  });

  it("reads a canvas's Uint8ClampedArray, also when it is a view into a larger buffer", () => {
    const backing = randomBytes(random, 64 + 320 * 240 * 4);
    const data = new Uint8ClampedArray(backing.buffer, 64, 320 * 240 * 4);
    const frame = { width: 320, height: 240, data };
    expect(compare(frame, { x: 40, y: 30, width: 150, height: 160 }, "eight-flip")).toBeUndefined();
  });

  it("names the problem: a box that misses the image, an unknown policy, a short buffer, a bad image", () => {
    const frame = image(100, 80, 4);
    const out = new Float32Array(16 * PIXELS);
    expect(() => wasm.cropInto(frame, { x: 120, y: 0, width: 10, height: 10 }, "single", out, 0)).toThrow(/empty inside the 100x80 image/);
    expect(() => wasm.cropInto(frame, undefined, "nine" as CropPolicy, out, 0)).toThrow(/unknown crop policy "nine"; use one of single, single-flip, eight, four-flip, eight-flip/);
    expect(() => wasm.cropInto(frame, undefined, "eight-flip", out, 1)).toThrow(/16 inputs do not fit at 1/);
    expect(() => wasm.cropInto({ width: 100, height: 80, data: new Uint8Array(10) }, undefined, "single", out, 0)).toThrow(/needs 32000 bytes, got 10/);
  });
});

describe("crop plan", () => {
  it("computes only the part of the 256x256 face that the windows read", () => {
    const windows = planWindows([[32, 32]]);
    const single = planCrop(200, 200, windows);
    // 224 -> 84 reads two pixels per output: 168 of the 256 rows and columns.
    expect([windows.gridHeight, windows.gridWidth]).toEqual([168, 168]);
    expect(single.sourceRows.length).toBeLessThan(200);
    // A large box only reads the source rows and columns that feed those pixels.
    const large = planCrop(480, 480, windows);
    expect(large.sourceRows.length).toBeLessThan(2 * 168 + 1);
    // Face columns 32.. of 256 start at column 60 of 480: the first 60 are never read.
    expect(large.colStart).toBe(60);
  });
});
