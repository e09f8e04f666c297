// Test helper: the opencv-js reference (OpenCV 4.12 compiled to WebAssembly) and its cascades.
import { readFileSync } from "node:fs";
import type * as OpenCvModule from "@techstark/opencv-js";
import type { FaceBox, ImageLike } from "@microexp/infer";
import { toGray } from "@microexp/infer";
import type { OpenCv } from "../../../test-support/opencv.js";

export { loadOpenCv, type OpenCv } from "../../../test-support/opencv.js";

export const CASCADE_XML_DIR = new URL("../cascades/xml/", import.meta.url);

const loadedCascades = new Map<string, OpenCvModule.CascadeClassifier>();

/** A cv.CascadeClassifier for one of the package's XML files (written to the emscripten FS once). */
export function openCvCascade(cv: OpenCv, name: string): OpenCvModule.CascadeClassifier {
  let classifier = loadedCascades.get(name);
  if (!classifier) {
    const file = `${name}.xml`;
    cv.FS_createDataFile("/", file, readFileSync(new URL(file, CASCADE_XML_DIR)), true, false, false);
    classifier = new cv.CascadeClassifier();
    if (!classifier.load(`/${file}`)) throw new Error(`opencv-js could not load ${file}`);
    loadedCascades.set(name, classifier);
  }
  return classifier;
}

export interface CvDetectOptions {
  scaleFactor: number;
  minNeighbors: number;
  minSize?: { width: number; height: number };
  maxSize?: { width: number; height: number };
}

/** cv.CascadeClassifier.detectMultiScale on the gray version of an image. */
export function openCvDetect(cv: OpenCv, classifier: OpenCvModule.CascadeClassifier, image: ImageLike, options: CvDetectOptions): FaceBox[] {
  const gray = toGray(image);
  const mat = new cv.Mat(gray.height, gray.width, cv.CV_8UC1);
  const faces = new cv.RectVector();
  try {
    mat.data.set(gray.data);
    const min = options.minSize ?? { width: 0, height: 0 };
    const max = options.maxSize ?? { width: 0, height: 0 };
    classifier.detectMultiScale(mat, faces, options.scaleFactor, options.minNeighbors, 0,
      new cv.Size(min.width, min.height), new cv.Size(max.width, max.height));
    const out: FaceBox[] = [];
    for (let i = 0; i < faces.size(); i++) {
      const r = faces.get(i);
      out.push({ x: r.x, y: r.y, width: r.width, height: r.height });
    }
    return out;
  } finally {
    mat.delete();
    faces.delete();
  }
}
