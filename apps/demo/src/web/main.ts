// The page: sources (camera, file, drop, sample) in, pictures with labelled faces out. All the
// detection and classification runs in the worker; this thread only moves frames and draws.
import { Camera } from "./camera.js";
import type { FrameKind, FromWorker, Timings, ToWorker } from "./messages.js";
import { RateMeter } from "./rate.js";
import { drawResult, listFaces } from "./render.js";

/** Photos are scaled down to this long side first, to keep detection under a second. */
const MAX_PHOTO_SIDE = 1600;
const SAMPLE_URL = new URL("../../test/fixtures/astronaut.png", import.meta.url);

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page lacks its #${id} ${type.name}`);
  return found;
}

const ui = {
  camera: element("camera", HTMLButtonElement),
  file: element("file", HTMLInputElement),
  // The label is the file input's visible button: it looks disabled while the input is.
  fileButton: element("file-button", HTMLLabelElement),
  sample: element("sample", HTMLButtonElement),
  stage: element("stage", HTMLElement),
  view: element("view", HTMLCanvasElement),
  video: element("video", HTMLVideoElement),
  status: element("status", HTMLElement),
  meters: element("meters", HTMLElement),
  fps: element("fps", HTMLOutputElement),
  timing: element("timing", HTMLOutputElement),
  faces: element("faces", HTMLOListElement),
};

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const send = (message: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(message, transfer);

let ready = "";
let nextId = 1;
/** Id of the newest request: older results (say, camera frames after a photo was opened) are dropped. */
let current = { kind: "photo" as FrameKind, since: 0, name: "" };
let frames = 0;
let labelledFrames = 0;
const labelledRate = new RateMeter();

const camera = new Camera(ui.video, {
  onFrame: (frame) => send({ type: "analyze", kind: "frame", id: nextId++, image: frame }, [frame]),
});

function setStatus(text: string, state?: "ready" | "error"): void {
  ui.status.textContent = text;
  if (state) document.body.dataset.state = state;
}

function showTimings(t: Timings): void {
  ui.timing.textContent = `worker per frame: read ${t.readMs.toFixed(1)} ms, detect ${t.detectMs.toFixed(1)} ms, classify ${t.classifyMs.toFixed(1)} ms`;
}

function showFrameRate(now: number, labelled: boolean): void {
  frames++;
  if (labelled) {
    labelledFrames++;
    labelledRate.tick(now);
  }
  ui.fps.dataset.frames = String(frames);
  ui.fps.dataset.labelledFrames = String(labelledFrames);
  const cameraRate = `camera: ${camera.frameRate.rate().toFixed(1)} frames per second`;
  // A camera that sees nobody labels nothing: say so rather than show a rate of 0.
  ui.fps.textContent = labelled ? `${labelledRate.rate().toFixed(1)} labelled frames per second (${cameraRate})` : `No face in view (${cameraRate})`;
}

/** Takes the last picture and its faces off the page, so that nothing stale stays in view. */
function clearPicture(): void {
  ui.stage.classList.remove("showing");
  ui.view.getContext("2d")?.clearRect(0, 0, ui.view.width, ui.view.height);
  listFaces(ui.faces, []);
  delete ui.faces.dataset.source;
  delete ui.faces.dataset.image;
}

worker.addEventListener("message", (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.type === "ready") {
    const engine = (kind: string) => (kind === "wasm" ? "WebAssembly" : "JavaScript");
    ready = `${message.model} (${engine(message.classifierEngine)}), ${message.cascade} (${engine(message.detectorEngine)})`;
    setStatus(`Ready: ${ready}.`, "ready");
    for (const control of [ui.camera, ui.file, ui.sample]) control.disabled = false;
    ui.fileButton.removeAttribute("aria-disabled");
    return;
  }
  if (message.type === "error") {
    message.image?.close();
    if (message.kind === "frame") camera.done();
    setStatus(`Error: ${message.message}`, message.kind === undefined ? "error" : undefined);
    return;
  }
  const { kind, id, image, faces, timings } = message;
  if (kind === "frame") camera.done();
  if (kind !== current.kind || id < current.since) {
    image.close();
    return;
  }
  drawResult(ui.view, image, faces);
  image.close();
  ui.stage.classList.add("showing");
  listFaces(ui.faces, faces);
  ui.faces.dataset.source = kind;
  ui.faces.dataset.image = current.name;
  // The meters are for the camera; a photo's timings go where only tools look (data-*).
  ui.meters.hidden = kind !== "frame";
  if (kind === "frame") {
    showTimings(timings);
    showFrameRate(performance.now(), faces.length > 0);
  } else {
    ui.timing.dataset.photoMs = (timings.readMs + timings.detectMs + timings.classifyMs).toFixed(1);
    setStatus(faces.length ? `Ready: ${ready}.` : "No face found in this picture.");
  }
});

worker.addEventListener("error", (event) => setStatus(`Error: the worker failed (${event.message})`, "error"));

async function showPhoto(source: Blob, name: string): Promise<void> {
  stopCamera();
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(source, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  } catch {
    current = { kind: "photo", since: nextId, name }; // results still on their way are for the old picture
    clearPicture();
    setStatus(`Cannot read ${name}: this browser cannot decode it as an image.`);
    return;
  }
  const scale = MAX_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height);
  if (scale < 1) {
    const full = bitmap;
    bitmap = await createImageBitmap(full, { resizeWidth: Math.round(full.width * scale), resizeHeight: Math.round(full.height * scale), resizeQuality: "high" });
    full.close();
  }
  const id = nextId++;
  current = { kind: "photo", since: id, name };
  setStatus(`Looking for faces in ${name}…`);
  send({ type: "analyze", kind: "photo", id, image: bitmap }, [bitmap]);
}

function stopCamera(): void {
  if (!camera.running) return;
  camera.stop();
  ui.camera.textContent = "Start camera";
}

async function startCamera(): Promise<void> {
  current = { kind: "frame", since: nextId, name: "camera" };
  send({ type: "reset" });
  labelledRate.reset();
  try {
    await camera.start();
    ui.camera.textContent = "Stop camera";
    setStatus(`Camera on. ${ready}.`);
  } catch (error) {
    stopCamera();
    setStatus(`Cannot open the camera: ${error instanceof Error ? error.message : String(error)}`);
  }
}

ui.camera.addEventListener("click", () => void (camera.running ? stopCamera() : startCamera()));
ui.file.addEventListener("change", () => {
  const file = ui.file.files?.[0];
  if (file) void showPhoto(file, file.name);
  ui.file.value = "";
});
ui.sample.addEventListener("click", async () => {
  const response = await fetch(SAMPLE_URL);
  void showPhoto(await response.blob(), "the sample photo");
});

// Dropping a file anywhere must not make the browser navigate away to it.
for (const type of ["dragover", "drop"]) document.addEventListener(type, (event) => event.preventDefault());
ui.stage.addEventListener("dragover", () => ui.stage.classList.add("dragging"));
ui.stage.addEventListener("dragleave", () => ui.stage.classList.remove("dragging"));
ui.stage.addEventListener("drop", (event) => {
  ui.stage.classList.remove("dragging");
  const file = event.dataTransfer?.files[0];
  if (file) void showPhoto(file, file.name);
});
