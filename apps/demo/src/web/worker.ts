// The page's worker: face detection and expression classification, off the main thread.
// The weights and the cascade come from the page's own bundle (no network beyond it).
import { FaceTracker, PAPER_CASCADE, loadCascade, prepareDetector, type Cascade } from "@microexp/face";
import { DEFAULT_MODEL, loadClassifier, toGray, type ExpressionClassifier, type ImageLike } from "@microexp/infer";
import defaultWeights from "microexp:default-weights";
import { findFaces, labelFaces, type LabelledFace } from "../analyze.js";
import { ScoreSmoother } from "../smooth-scores.js";
import type { FromWorker, ToWorker } from "./messages.js";

interface Models {
  cascade: Cascade;
  classifier: ExpressionClassifier;
  wasmDetector: boolean;
  tracker: FaceTracker;
  smoother: ScoreSmoother;
}

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// prepareDetector compiles the detector's WebAssembly kernel (false: it runs in JavaScript).
const models: Promise<Models> = Promise.all([loadCascade(PAPER_CASCADE), loadClassifier(new URL(defaultWeights, self.location.href)), prepareDetector()]).then(
  ([cascade, classifier, wasmDetector]) => ({
    cascade,
    classifier,
    wasmDetector,
    tracker: new FaceTracker(cascade),
    smoother: new ScoreSmoother(),
  }),
);

models.then(
  ({ cascade, classifier, wasmDetector }) =>
    post({
      type: "ready",
      model: String(classifier.weights.model.name ?? DEFAULT_MODEL),
      classifierEngine: classifier.engineKind,
      detectorEngine: wasmDetector ? "wasm" : "js",
      labels: classifier.labels,
      cascade: cascade.name,
    }),
  (error: unknown) => post({ type: "error", message: `cannot load the model: ${describe(error)}` }),
);

// One canvas, reused: the pixels of each bitmap are read through it.
let canvas: OffscreenCanvas | null = null;
let context: OffscreenCanvasRenderingContext2D | null = null;

function pixelsOf(bitmap: ImageBitmap): ImageLike {
  if (!canvas || canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
    canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    context = canvas.getContext("2d", { willReadFrequently: true });
  }
  if (!context) throw new Error("this browser gives workers no 2D canvas");
  context.drawImage(bitmap, 0, 0);
  const { width, height, data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
  return { width, height, data };
}

async function analyze(message: Extract<ToWorker, { type: "analyze" }>): Promise<void> {
  const { kind, id, image } = message;
  try {
    const { cascade, classifier, tracker, smoother } = await models;
    const t0 = performance.now();
    // Gray once: the detector and the classifier both work on gray pixels.
    const gray = toGray(pixelsOf(image));
    const t1 = performance.now();
    let faces: LabelledFace[];
    let t2: number;
    if (kind === "photo") {
      const boxes = findFaces(gray, cascade);
      t2 = performance.now();
      faces = labelFaces(classifier, gray, boxes);
    } else {
      const tracked = tracker.update(gray);
      t2 = performance.now();
      const labelled = labelFaces(classifier, gray, tracked.map((t) => t.box));
      faces = smoother.smooth(labelled, tracked.map((t) => t.id));
    }
    const timings = { readMs: t1 - t0, detectMs: t2 - t1, classifyMs: performance.now() - t2 };
    post({ type: "result", kind, id, image, faces, timings }, [image]);
  } catch (error) {
    post({ type: "error", kind, id, image, message: describe(error) }, [image]);
  }
}

self.addEventListener("message", (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "reset") {
    void models.then(({ tracker, smoother }) => {
      tracker.reset();
      smoother.reset();
    });
  } else {
    void analyze(message);
  }
});
