import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_CASCADES, compileCascade, detectFaces, detectRawWindows, loadCascade, parseCascadeXml } from "../src/index.js";
import { fixtureName, fixturePhotos, loadPhoto } from "./fixtures.js";
import { leafSumsExact } from "../src/detect/wasm-scanner.js";
import { CASCADE_XML_DIR, loadOpenCv, openCvCascade, openCvDetect, type OpenCv } from "./opencv.js";

let cv: OpenCv;
beforeAll(async () => {
  ({ cv } = await loadOpenCv());
});

const boxOnly = ({ x, y, width, height }: { x: number; y: number; width: number; height: number }) => ({ x, y, width, height });

describe.each(SHIPPED_CASCADES)("%s agrees with opencv-js", (name) => {
  it.each(fixturePhotos().map((p) => [fixtureName(p), p]))("raw windows on %s (scaleFactor 1.3, minNeighbors 0), both engines", async (_label, path) => {
    const [image, cascade] = await Promise.all([loadPhoto(path), loadCascade(name)]);
    const theirs = openCvDetect(cv, openCvCascade(cv, name), image, { scaleFactor: 1.3, minNeighbors: 0 });
    expect(theirs.length).toBeGreaterThan(0);
    for (const engine of ["wasm", "js"] as const) {
      expect(detectRawWindows(image, cascade, { scaleFactor: 1.3, engine }).map(boxOnly), engine).toEqual(theirs);
    }
  });

  it.each(fixturePhotos().map((p) => [fixtureName(p), p]))("faces on %s (scaleFactor 1.1 and 1.3, minNeighbors 3 and 5)", async (_label, path) => {
    const [image, cascade] = await Promise.all([loadPhoto(path), loadCascade(name)]);
    for (const [scaleFactor, minNeighbors] of [[1.3, 5], [1.1, 3]]) {
      const ours = detectFaces(image, cascade, { scaleFactor, minNeighbors }).map(boxOnly);
      const theirs = openCvDetect(cv, openCvCascade(cv, name), image, { scaleFactor, minNeighbors });
      expect(ours, `scaleFactor ${scaleFactor}, minNeighbors ${minNeighbors}`).toEqual(theirs);
    }
  });
});

/** Loads a cascade XML into opencv-js and into this package; OpenCV's raw windows on the first fixture photo. */
async function bothWays(xml: string, name: string, scaleFactor: number) {
  cv.FS_createDataFile("/", `${name}.xml`, new TextEncoder().encode(xml), true, false, false);
  const classifier = new cv.CascadeClassifier();
  expect(classifier.load(`/${name}.xml`)).toBe(true);
  const image = await loadPhoto(fixturePhotos()[0]);
  const theirs = openCvDetect(cv, classifier, image, { scaleFactor, minNeighbors: 0 });
  classifier.delete();
  expect(theirs.length).toBeGreaterThan(0);
  return { cascade: compileCascade(parseCascadeXml(xml, name)), image, theirs };
}

describe("a cascade with fractional weights (OpenCV's float32 feature arithmetic, not the integer shortcut)", () => {
  it("gives opencv-js's raw windows on both engines", async () => {
    const xml = readFileSync(new URL("haarcascade_frontalface_default.xml", CASCADE_XML_DIR), "utf8")
      .replace(/ 3\.<\/_>/g, " 2.95</_>").replace(/ 2\.<\/_>/g, " 1.97</_>");
    const { cascade, image, theirs } = await bothWays(xml, "fractional_weights", 1.3);
    for (const engine of ["wasm", "js"] as const) {
      expect(detectRawWindows(image, cascade, { scaleFactor: 1.3, engine }).map(boxOnly), engine).toEqual(theirs);
    }
  });
});

describe.each([
  ["haarcascade_frontalface_default", 1.3],
  ["lbpcascade_frontalface_improved", 1.1],
] as const)("%s with a leaf that does not add exactly in float64 (the kernel's select path)", (name, scaleFactor) => {
  it("gives opencv-js's raw windows on both engines", async () => {
    // A leaf of 1e-30 beside leaves near 1: a stage's sums would need about 100 bits.
    const xml = readFileSync(new URL(`${name}.xml`, CASCADE_XML_DIR), "utf8")
      .replace(/<leafValues>\s*(\S+)/, "<leafValues>\n            1.0000000e-30");
    const { cascade, image, theirs } = await bothWays(xml, `${name}_tiny_leaf`, scaleFactor);
    expect(cascade.leaves[0]).toBe(Math.fround(1e-30));
    expect(leafSumsExact(cascade)).toBe(false);
    expect(leafSumsExact(await loadCascade(name))).toBe(true);
    for (const engine of ["wasm", "js"] as const) {
      expect(detectRawWindows(image, cascade, { scaleFactor, engine }).map(boxOnly), engine).toEqual(theirs);
    }
  });
});

describe("an LBP cascade with blocks too large for the kernel's 16-bit sums", () => {
  // Every rectangle and the window doubled: blocks reach 28 x 30 pixels, above the kernel's 257.
  const xml = () => readFileSync(new URL("lbpcascade_frontalface_improved.xml", CASCADE_XML_DIR), "utf8")
    .replace(/<rect>\s*([\d ]+)<\/rect>/g, (_m, numbers: string) => `<rect>${numbers.trim().split(/\s+/).map((n) => 2 * Number(n)).join(" ")}</rect>`)
    .replace("<height>45</height>", "<height>90</height>").replace("<width>45</width>", "<width>90</width>");

  it("runs on the JavaScript path with opencv-js's raw windows; the kernel refuses it by name", async () => {
    const { cascade, image, theirs } = await bothWays(xml(), "lbp_doubled", 1.1);
    expect(Math.max(...Array.from(cascade.nodeRects.filter((_v, i) => i % 4 === 2)))).toBe(28);
    for (const engine of ["auto", "js"] as const) {
      expect(detectRawWindows(image, cascade, { scaleFactor: 1.1, engine }).map(boxOnly), engine).toEqual(theirs);
    }
    expect(() => detectRawWindows(image, cascade, { engine: "wasm" })).toThrow(/cannot run cascade lbp_doubled .*LBP blocks above 257 pixels/);
  });
});
