// The page's per-frame work, in Node, on a 640x480 video made from the astronaut photo (a
// window panning over it): the face tracker plus the classifier (what the page's worker runs
// for each webcam frame) against the baseline of the paper's detector on the whole frame
// plus the classifier, in the same run. Prints medians. Run: npm run bench (root) after a build.
import { PAPER_DETECT_OPTIONS, detectFaces, loadCascade, prepareDetector } from "@microexp/face";
import { toGray } from "@microexp/infer";
import { loadModel } from "@microexp/infer/node";
import sharp from "sharp";
import { FaceTracker, labelFaces } from "../dist/index.js";

const WIDTH = 640, HEIGHT = 480, FRAMES = 60;

async function panFrames() {
  const photo = new URL("../test/fixtures/astronaut.png", import.meta.url).pathname;
  const { data, info } = await sharp(photo).resize({ width: 800 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const frames = [];
  for (let i = 0; i < FRAMES; i++) {
    const phase = (2 * Math.PI * i) / FRAMES;
    const x = Math.round(80 + 60 * Math.sin(phase)), y = Math.round(30 + 25 * Math.sin(2 * phase));
    const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
    for (let row = 0; row < HEIGHT; row++) rgb.set(data.subarray(((y + row) * info.width + x) * 3, ((y + row) * info.width + x + WIDTH) * 3), row * WIDTH * 3);
    // Grayed as the page grays a camera frame (OpenCV's formula).
    frames.push(toGray({ width: WIDTH, height: HEIGHT, data: rgb, channels: 3 }));
  }
  return frames;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds per frame and faces per frame, `passes` times over the frames after one warm-up pass. */
function time(frames, passes, work) {
  for (const frame of frames) work(frame);
  const times = [];
  let faces = 0;
  for (let p = 0; p < passes; p++) {
    for (const frame of frames) {
      const start = performance.now();
      faces += work(frame);
      times.push(performance.now() - start);
    }
  }
  return { times, faces: faces / times.length };
}

const wasmDetector = await prepareDetector();
const [cascade, classifier, frames] = await Promise.all([loadCascade(), loadModel(), panFrames()]);

const tracker = new FaceTracker(cascade);
const tracked = time(frames, 3, (frame) => labelFaces(classifier, frame, tracker.update(frame).map((f) => f.box)).length);
const paper = time(frames, 1, (frame) => labelFaces(classifier, frame, detectFaces(frame, cascade, PAPER_DETECT_OPTIONS)).length);

const rows = [
  ["the page: FaceTracker.update + classify (a reduced scan every 10th frame)", tracked],
  ["baseline: the paper's detectFaces on the whole frame (1.3, 5) + classify", paper],
];
console.log(`Per 640x480 frame, ${FRAMES}-frame panning video, Node ${process.version}, detector ${wasmDetector ? "WebAssembly" : "JavaScript"}, classifier ${classifier.engineKind}\n`);
console.log("| pipeline | median ms/frame | p90 ms/frame | frames/s at the median | faces/frame |");
console.log("|---|---|---|---|---|");
for (const [name, { times, faces }] of rows) {
  const sorted = [...times].sort((a, b) => a - b);
  const p90 = sorted[Math.floor(sorted.length * 0.9)];
  console.log(`| ${name} | ${median(times).toFixed(2)} | ${p90.toFixed(2)} | ${(1000 / median(times)).toFixed(0)} | ${faces.toFixed(2)} |`);
}
