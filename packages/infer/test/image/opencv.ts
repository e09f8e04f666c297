// Test helper: opencv-js calls on byte arrays, for checking the pixel ops against OpenCV.
import type * as OpenCvModule from "@techstark/opencv-js";
import type { OpenCv } from "../../../../test-support/opencv.js";

export { loadOpenCv, type OpenCv } from "../../../../test-support/opencv.js";
export { randomBytes, seededRandom } from "../../../../test-support/random.js";

/** A cv.Mat holding a copy of the bytes (caller deletes it). */
export function matFromBytes(cv: OpenCv, data: ArrayLike<number>, width: number, height: number, channels: 1 | 3 | 4): OpenCvModule.Mat {
  const type = channels === 1 ? cv.CV_8UC1 : channels === 3 ? cv.CV_8UC3 : cv.CV_8UC4;
  const mat = new cv.Mat(height, width, type);
  mat.data.set(data);
  return mat;
}

/** Runs cv.resize(INTER_LINEAR) on a one-channel image and returns the output bytes. */
export function cvResize(cv: OpenCv, data: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Uint8Array {
  const src = matFromBytes(cv, data, width, height, 1);
  const dst = new cv.Mat();
  try {
    cv.resize(src, dst, new cv.Size(toWidth, toHeight), 0, 0, cv.INTER_LINEAR);
    return Uint8Array.from(dst.data);
  } finally {
    src.delete();
    dst.delete();
  }
}

/** Index and values of the first difference between two byte arrays, or undefined when equal. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `index ${i}: ${a[i]} vs ${b[i]}`;
  return undefined;
}
