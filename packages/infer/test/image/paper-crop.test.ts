import { beforeAll, describe, expect, it } from "vitest";
import {
  CROP_POLICIES,
  INPUT_SIZE,
  cropPolicyShape,
  jsCropper,
  TRAINING_CROP_OFFSETS,
  paperInferenceCrop,
  paperTrainingCrops,
  type Box,
  type ImageLike,
} from "../../src/image/index.js";
import { createWasmCropper } from "../../src/wasm/crop-wasm.js";
import { loadFixturePhoto } from "./fixture.js";
import { firstDifference, loadOpenCv, matFromBytes, type OpenCv } from "./opencv.js";

let cv: OpenCv;
let photo: ImageLike;
beforeAll(async () => {
  ({ cv } = await loadOpenCv());
  photo = loadFixturePhoto();
});

/** The authors' preprocessing written with OpenCV calls: gray, face box, 256, crop 224 at (row, col), 84. */
function openCvCrops(image: ImageLike, box: Box | undefined, offsets: ReadonlyArray<readonly [number, number]>): Float32Array[] {
  const rgb = matFromBytes(cv, image.data, image.width, image.height, 3);
  const gray = new cv.Mat();
  const face256 = new cv.Mat();
  const input = new cv.Mat();
  try {
    cv.cvtColor(rgb, gray, cv.COLOR_RGB2GRAY);
    const faceBox = box ?? { x: 0, y: 0, width: image.width, height: image.height };
    const face = gray.roi(new cv.Rect(faceBox.x, faceBox.y, faceBox.width, faceBox.height));
    cv.resize(face, face256, new cv.Size(256, 256), 0, 0, cv.INTER_LINEAR);
    face.delete();
    return offsets.map(([row, col]) => {
      const window = face256.roi(new cv.Rect(col, row, 224, 224));
      cv.resize(window, input, new cv.Size(84, 84), 0, 0, cv.INTER_LINEAR);
      window.delete();
      return Float32Array.from(input.data);
    });
  } finally {
    for (const m of [rgb, gray, face256, input]) m.delete();
  }
}

/** cv.flip(input, 1): the 84x84 crop mirrored left to right. */
function openCvFlip(crop: Float32Array): Float32Array {
  const src = matFromBytes(cv, crop, INPUT_SIZE, INPUT_SIZE, 1);
  const dst = new cv.Mat();
  try {
    cv.flip(src, dst, 1);
    return Float32Array.from(dst.data);
  } finally {
    src.delete();
    dst.delete();
  }
}

describe("paper crop policy", () => {
  it("inference crop equals the OpenCV pipeline (rows/cols 32..256 of the 256x256 face)", () => {
    for (const box of [undefined, { x: 52, y: 42, width: 95, height: 95 }, { x: 0, y: 0, width: 200, height: 128 }]) {
      const ours = paperInferenceCrop(photo, box);
      expect(ours).toBeInstanceOf(Float32Array);
      expect(ours.length).toBe(INPUT_SIZE * INPUT_SIZE);
      expect(firstDifference(ours, openCvCrops(photo, box, [[32, 32]])[0])).toBeUndefined();
    }
  });

  it("gives the 8 training crops in the paper's order", () => {
    expect(TRAINING_CROP_OFFSETS).toEqual([[0, 0], [0, 5], [0, 32], [5, 0], [32, 0], [5, 5], [32, 32], [5, 32]]);
    const box = { x: 52, y: 42, width: 95, height: 95 };
    const ours = paperTrainingCrops(photo, box);
    const reference = openCvCrops(photo, box, TRAINING_CROP_OFFSETS);
    expect(ours).toHaveLength(8);
    ours.forEach((crop, i) => expect(firstDifference(crop, reference[i]), `crop ${i}`).toBeUndefined());
    // Different offsets really give different crops, and (32, 32) is the inference crop.
    expect(firstDifference(ours[0], ours[1])).toBeDefined();
    expect(firstDifference(ours[6], paperInferenceCrop(photo, box))).toBeUndefined();
  });

  it("takes RGBA input (the browser's ImageData) like RGB", () => {
    const rgba = new Uint8ClampedArray(photo.width * photo.height * 4);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgba.set([photo.data[j], photo.data[j + 1], photo.data[j + 2], 255], i);
    }
    const fromRgba = paperInferenceCrop({ width: photo.width, height: photo.height, data: rgba });
    expect(firstDifference(fromRgba, paperInferenceCrop(photo))).toBeUndefined();
  });

  it("every crop policy, in TypeScript and in WebAssembly, gives OpenCV's crops (flips: cv.flip)", async () => {
    const wasm = await createWasmCropper();
    expect(wasm).not.toBeNull();
    const pixels = INPUT_SIZE * INPUT_SIZE;
    for (const box of [undefined, { x: 52, y: 42, width: 95, height: 95 }, { x: -30, y: 120, width: 140, height: 150 }]) {
      const inside = box && { x: 0, y: 120, width: 110, height: 80 }; // the second box clamped to the 200x200 image
      for (const policy of CROP_POLICIES) {
        const { offsets, flip, count } = cropPolicyShape(policy);
        const reference = openCvCrops(photo, box && (box.x < 0 ? inside : box), offsets).flatMap((crop) => (flip ? [crop, openCvFlip(crop)] : [crop]));
        for (const cropper of [jsCropper, wasm!]) {
          const out = new Float32Array(count * pixels);
          cropper.cropInto(photo, box, policy, out, 0);
          reference.forEach((crop, i) => {
            const diff = firstDifference(out.subarray(i * pixels, (i + 1) * pixels), crop);
            expect(diff, `${cropper.kind} ${policy} box ${JSON.stringify(box)} input ${i}`).toBeUndefined();
          });
        }
      }
    }
  });

  it("names the problem when the box misses the image", () => {
    expect(() => paperInferenceCrop(photo, { x: 500, y: 0, width: 10, height: 10 })).toThrow(/empty inside the 200x200 image/);
  });
});
