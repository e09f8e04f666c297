import { beforeAll, describe, expect, it } from "vitest";
import { resizeLinearExact } from "../src/detect/resize-exact.js";
import { loadOpenCv, type OpenCv } from "./opencv.js";
import { seededRandom } from "../../../test-support/random.js";

let cv: OpenCv;
beforeAll(async () => {
  ({ cv } = await loadOpenCv());
});

function openCvResize(data: Uint8Array, w: number, h: number, toW: number, toH: number): Uint8Array {
  const src = new cv.Mat(h, w, cv.CV_8UC1);
  const dst = new cv.Mat();
  try {
    src.data.set(data);
    cv.resize(src, dst, new cv.Size(toW, toH), 0, 0, cv.INTER_LINEAR_EXACT);
    return Uint8Array.from(dst.data);
  } finally {
    src.delete();
    dst.delete();
  }
}

describe("resizeLinearExact (the detector's pyramid resize)", () => {
  it("is bit-exact with cv.resize(INTER_LINEAR_EXACT) on 300 random sizes", () => {
    const random = seededRandom(9);
    const side = (): number => (random() < 0.1 ? 1 : 1 + Math.floor(random() * 300));
    for (let t = 0; t < 300; t++) {
      const w = side(), h = side();
      // Exact halving is OpenCV's INTER_AREA special case, which the pyramid never needs.
      let toW = side(), toH = side();
      if (w === 2 * toW && h === 2 * toH) toW += 1;
      if (t < 20) [toW, toH] = [Math.round(w / 1.3 ** (t % 5 + 1)) || 1, Math.round(h / 1.3 ** (t % 5 + 1)) || 1];
      const data = Uint8Array.from({ length: w * h }, () => Math.floor(random() * 256));
      const out = new Uint8Array(toW * toH);
      resizeLinearExact(data, w, h, out, toW, toH);
      const reference = openCvResize(data, w, h, toW, toH);
      const at = out.findIndex((v, i) => v !== reference[i]);
      if (at >= 0) expect.fail(`${w}x${h} -> ${toW}x${toH}: pixel ${at} is ${out[at]}, OpenCV has ${reference[at]}`);
    }
  });
});
