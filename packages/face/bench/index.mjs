// Face detection speed: this package (WebAssembly SIMD kernel, and its JavaScript fallback)
// against opencv-js (OpenCV 4.12 in WebAssembly) with the same cascade and parameters, in the
// same run, interleaved; then the whole path file -> face crops -> 84x84. Prints medians.
// Run after `npm run build` (imports dist/). Takes about 12 seconds.
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { FaceTracker, PAPER_DETECT_OPTIONS, detectFaces, loadCascade, loadCascadeSource, paperFaceCrop, parseCascadeXml } from "../dist/index.js";
import { cropsFromFile, decodeImageFile } from "../dist/node.js";
import { paperInferenceCrop, toGray } from "@microexp/infer";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const fixtures = here("../test/fixtures/");
const london = readdirSync(`${fixtures}london`).filter((f) => f.endsWith(".jpg")).sort().map((f) => `${fixtures}london/${f}`);

async function openCv() {
  const mod = createRequire(import.meta.url)("@techstark/opencv-js");
  if (mod instanceof Promise) return { cv: await mod };
  if (typeof mod.Mat !== "function") await new Promise((resolve) => (mod.onRuntimeInitialized = resolve));
  return { cv: mod }; // wrapped: the module is a thenable
}
const { cv } = await openCv();

const classifiers = new Map();
function openCvClassifier(name) {
  if (classifiers.has(name)) return classifiers.get(name);
  cv.FS_createDataFile("/", `${name}.xml`, readFileSync(here(`../cascades/xml/${name}.xml`)), true, false, false);
  const classifier = new cv.CascadeClassifier();
  if (!classifier.load(`/${name}.xml`)) throw new Error(`opencv-js could not load ${name}.xml`);
  classifiers.set(name, classifier);
  return classifier;
}

function grayMat(gray) {
  const mat = new cv.Mat(gray.height, gray.width, cv.CV_8UC1);
  mat.data.set(gray.data);
  return mat;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const time = (fn) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};

// The 640x480 frame: the astronaut portrait scaled to 480x480, padded with gray to 640x480.
const frame = await sharp(`${fixtures}astronaut.png`).resize(480, 480)
  .extend({ left: 80, right: 80, background: "#808080" }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const frameImage = { width: frame.info.width, height: frame.info.height, data: new Uint8Array(frame.data), channels: 3 };
const londonImages = await Promise.all(london.map((path) => decodeImageFile(path)));

const rows = [];
const { scaleFactor, minNeighbors } = PAPER_DETECT_OPTIONS;
const none = new cv.Size(0, 0);

/** Detection on gray images (conversion excluded for both), interleaved, `rounds` times. */
function compare(label, name, images, rounds, withJs) {
  const cascade = cascades.get(name);
  const classifier = openCvClassifier(name);
  const grays = images.map((image) => toGray(image));
  const mats = grays.map(grayMat);
  const faces = new cv.RectVector();
  const ours = [], js = [], theirs = [];
  let agree = true;
  for (let r = 0; r < rounds; r++) {
    grays.forEach((gray, i) => {
      theirs.push(time(() => classifier.detectMultiScale(mats[i], faces, scaleFactor, minNeighbors, 0, none, none)));
      let found = [];
      ours.push(time(() => (found = detectFaces(gray, cascade, { scaleFactor, minNeighbors, engine: "wasm" }))));
      if (withJs && r < 3) js.push(time(() => detectFaces(gray, cascade, { scaleFactor, minNeighbors, engine: "js" })));
      const reference = Array.from({ length: faces.size() }, (_, k) => faces.get(k));
      agree &&= found.length === reference.length && found.every((f, k) => f.x === reference[k].x && f.y === reference[k].y && f.width === reference[k].width);
    });
  }
  mats.forEach((m) => m.delete());
  faces.delete();
  const o = median(ours), t = median(theirs);
  rows.push([label, name, t.toFixed(1), o.toFixed(1), js.length ? median(js).toFixed(0) : "", `${(t / o).toFixed(2)}x`, agree ? "yes" : "NO"]);
}

const names = ["haarcascade_frontalface_default", "haarcascade_frontalface_alt2", "lbpcascade_frontalface_improved"];
const cascades = new Map(await Promise.all(names.map(async (n) => [n, await loadCascade(n)])));
// Warm up both sides (JIT, wasm tiers) before timing.
for (const n of names) detectFaces(frameImage, cascades.get(n), PAPER_DETECT_OPTIONS);

compare("640x480 frame", names[0], [frameImage], 15, true);
compare("640x480 frame", names[1], [frameImage], 9, false);
compare("640x480 frame", names[2], [frameImage], 9, false);
for (const n of names) compare(`540x540 London (${london.length} photos)`, n, londonImages, 3, false);

// End to end on the frame: RGB pixels -> detect -> crop -> 84x84 input, and a file -> crops.
const paper = cascades.get(names[0]);
const endToEnd = [];
for (let r = 0; r < 31; r++) endToEnd.push(time(() => paperFaceCrop(frameImage, paper)));
// The same frame through a new FaceTracker: a reduced scan finds the face, detectFacesNear
// gives the paper detector's box for it. Same box as the exact path?
const exactBox = paperFaceCrop(frameImage, paper).box;
const trackerFirst = [];
let trackerBoxes = [];
for (let r = 0; r < 31; r++) {
  trackerFirst.push(time(() => {
    trackerBoxes = new FaceTracker(paper).update(frameImage).map((face) => face.box);
    trackerBoxes.forEach((box) => paperInferenceCrop(frameImage, box));
  }));
}
const trackerSameBox = trackerBoxes.length === 1 && JSON.stringify(trackerBoxes[0]) === JSON.stringify(exactBox);
// A 640x480 video: a window moving over the astronaut photo (scaled to 800 wide) so that the
// face moves as in front of a webcam. FaceTracker.update + the 84x84 input of each face.
const photo = await sharp(`${fixtures}astronaut.png`).resize({ width: 800 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const video = Array.from({ length: 60 }, (_, i) => {
  const left = Math.round(80 + 60 * Math.sin((2 * Math.PI * i) / 60)), top = Math.round(30 + 25 * Math.sin((4 * Math.PI * i) / 60));
  const data = new Uint8Array(640 * 480 * 3);
  for (let row = 0; row < 480; row++) data.set(photo.data.subarray(((top + row) * 800 + left) * 3, ((top + row) * 800 + left + 640) * 3), row * 640 * 3);
  return { width: 640, height: 480, data, channels: 3 };
});
let lastFaces = [];
const track = (tracker, frame) => (lastFaces = tracker.update(frame)).map((face) => paperInferenceCrop(frame, face.box));
const firstFrame = [], tracked = [];
for (let r = 0; r < 45; r++) firstFrame.push(time(() => track(new FaceTracker(paper), video[r % 15])));
let exactFrames = 0;
for (let r = 0; r < 3; r++) {
  const tracker = new FaceTracker(paper);
  for (const frame of video) {
    tracked.push(time(() => track(tracker, frame)));
    if (r === 0) {
      // Outside the timing: is the box the paper detector's?
      const [paperFace] = detectFaces(frame, paper, { scaleFactor, minNeighbors });
      const box = lastFaces.length === 1 ? lastFaces[0].box : undefined;
      if (box && paperFace && box.x === paperFace.x && box.y === paperFace.y && box.width === paperFace.width) exactFrames++;
    }
  }
}

const files = [];
for (let r = 0; r < 3; r++) {
  for (const path of [`${fixtures}astronaut.png`, ...london]) {
    const start = performance.now();
    await cropsFromFile(path, { cascade: paper });
    files.push(performance.now() - start);
  }
}

// Loading a cascade: parsing OpenCV's XML vs unpacking the shipped module (after its import).
const loading = [];
for (const n of names) {
  const xml = readFileSync(here(`../cascades/xml/${n}.xml`), "utf8");
  const parse = [], unpack = [];
  for (let r = 0; r < 5; r++) {
    parse.push(time(() => parseCascadeXml(xml, n)));
    const start = performance.now();
    await loadCascadeSource(n);
    unpack.push(performance.now() - start);
  }
  loading.push(`| ${n} | ${(xml.length / 1024).toFixed(0)} KB | ${median(parse).toFixed(1)} | ${median(unpack).toFixed(1)} |`);
}

console.log(`Detection, scaleFactor ${scaleFactor}, minNeighbors ${minNeighbors}, gray input, median ms (one core)\n`);
console.log("| image | cascade | opencv-js | @microexp/face (wasm) | (js fallback) | speed-up | same boxes |");
console.log("|---|---|---:|---:|---:|---:|---|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
console.log("\nWhole path, paper's cascade and crop policy, median ms\n");
console.log("| path | median ms |");
console.log("|---|---:|");
console.log(`| 640x480 RGB frame -> detect (every window) -> crop -> 84x84 | ${median(endToEnd).toFixed(1)} |`);
console.log(`| the same frame, a new FaceTracker (reduced scan + detectFacesNear) -> 84x84; same box: ${trackerSameBox ? "yes" : "NO"} | ${median(trackerFirst).toFixed(1)} |`);
console.log(`| 640x480 RGB video, a new FaceTracker's first frame -> 84x84 | ${median(firstFrame).toFixed(1)} |`);
console.log(`| 640x480 RGB video, FaceTracker.update -> 84x84, every frame (a reduced scan every 10th); the paper's box in ${exactFrames} of ${video.length} frames | ${median(tracked).toFixed(1)} |`);
console.log(`| file (PNG 512x512 / JPEG 540x540) -> decode -> detect -> 9 crops 84x84 | ${median(files).toFixed(1)} |`);
console.log("\nLoading a cascade, median ms\n");
console.log("| cascade | XML | parse the XML | unpack the shipped module |");
console.log("|---|---:|---:|---:|");
for (const row of loading) console.log(row);
