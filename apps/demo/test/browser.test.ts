// End to end in a real browser: Debian's Chromium, headless, driven by playwright-core. The
// built page (dist/web) is served on 127.0.0.1; every request the page makes is recorded and
// must stay there. Photos go in through the file input and by drag and drop; the webcam is
// Chromium's fake camera playing a video made from a fixture photo.
import { overlap } from "@microexp/face";
import { decodeImageFile } from "@microexp/face/node";
import { toGray } from "@microexp/infer";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { preview, type PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzePhoto, findFaces } from "../src/analyze.js";
import { writeAtomic } from "../src/cli/write-atomic.js";
import { panFrames } from "../../../test-support/pan-frames.js";
import { ASTRONAUT, LONDON, loadModels } from "./helpers/models.js";
import { writeY4m } from "./helpers/y4m.js";

const CHROMIUM = process.env.MICROEXP_CHROMIUM ?? "/usr/bin/chromium";
const HERE = fileURLToPath(new URL("..", import.meta.url));
const PAGE = join(HERE, "dist/web/index.html");
const ARTIFACTS = join(HERE, ".artifacts");
const SCREENSHOT = join(HERE, "docs/screenshot.png");
/** Seconds the webcam's frame rate is measured over. */
const MEASURE_SECONDS = 5;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`\n*** SKIPPING the browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium, or set MICROEXP_CHROMIUM) ***\n`);
}

const BASE_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let server: PreviewServer;
let origin: string;
let profiles: string;

beforeAll(async () => {
  if (!haveChromium) return;
  if (!existsSync(PAGE)) throw new Error(`${PAGE} is missing: build the page first (npm run build -w @microexp/demo)`);
  server = await preview({
    configFile: join(HERE, "vite.config.ts"),
    preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
    logLevel: "silent",
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error("vite preview gave no local address");
  origin = new URL(url).origin;
  profiles = await mkdtemp(join(tmpdir(), "microexp-chromium-"));
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await server?.close();
  if (profiles) await rm(profiles, { recursive: true, force: true });
});

/** A fresh browser profile each time, so nothing is cached from an earlier run. */
async function launch(extraArgs: string[] = []): Promise<BrowserContext> {
  const profile = await mkdtemp(join(profiles, "profile-"));
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...BASE_ARGS, ...extraArgs], viewport: { width: 1280, height: 760 } });
}

/** Opens the page, recording every request it makes and failing on any error it reports. */
async function openPage(context: BrowserContext): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(`${origin}/`);
  await page.waitForSelector("body[data-state=ready]", { timeout: 60_000 });
  return { page, requests, errors };
}

/** Requests that left 127.0.0.1 (data: and blob: URLs never leave the page). */
function offsite(requests: string[]): string[] {
  return requests.filter((url) => {
    const { protocol, host } = new URL(url);
    return !(protocol === "data:" || protocol === "blob:" || `${protocol}//${host}` === origin);
  });
}

interface ShownFace {
  label: string;
  probability: number;
  box: { x: number; y: number; width: number; height: number };
}

async function shownFaces(page: Page): Promise<ShownFace[]> {
  const items = await page.$$eval("#faces li", (lis) => lis.map((li) => ({ ...(li as HTMLElement).dataset })));
  return items.map((d) => {
    const [x, y, width, height] = (d.box ?? "").split(",").map(Number);
    return { label: d.label ?? "", probability: Number(d.probability), box: { x, y, width, height } };
  });
}

async function dropFile(page: Page, name: string, contents: Buffer, type: string): Promise<void> {
  const bytes = contents.toString("base64");
  await page.evaluate(
    ({ name, bytes, type }) => {
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], name, { type }));
      const stage = document.getElementById("stage");
      if (!stage) throw new Error("no #stage");
      for (const type of ["dragenter", "dragover", "drop"]) stage.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    { name, bytes, type },
  );
}

describe.skipIf(!haveChromium)("the web page in Chromium", () => {
  it("looks disabled, the file button included, until the model has loaded", async () => {
    const context = await launch();
    try {
      const page = await context.newPage();
      // Hold the weights back: the page stays in its loading state until they come.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await context.route(/\.mxw$/, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => document.querySelectorAll("#camera, #file-button").length === 2);
      const look = () => page.evaluate(() => ["camera", "file-button", "sample"].map((id) => {
        const e = document.getElementById(id)!;
        return { id, opacity: getComputedStyle(e).opacity, disabled: (e as HTMLButtonElement).disabled ?? null, aria: e.getAttribute("aria-disabled") };
      }));
      expect(await page.getAttribute("body", "data-state")).toBe("loading");
      for (const control of await look()) expect(control, control.id).toMatchObject({ opacity: "0.5" });
      expect(await page.isDisabled("#file")).toBe(true);
      release();
      await page.waitForSelector("body[data-state=ready]", { timeout: 60_000 });
      for (const control of await look()) expect(control, control.id).toMatchObject({ opacity: "1", aria: null });
    } finally {
      await context.close();
    }
  });

  it("sends its Content-Security-Policy as a header too, on the page and on the worker's script", async () => {
    const context = await launch();
    try {
      const { page, requests } = await openPage(context);
      const meta = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
      expect(meta).toContain("default-src 'self'");
      const worker = requests.find((url) => /\/worker-[\w-]+\.js$/.test(url));
      expect(worker).toBeDefined();
      for (const url of [`${origin}/`, worker!]) {
        const response = await fetch(url);
        expect(response.headers.get("content-security-policy"), url).toBe(meta);
      }
    } finally {
      await context.close();
    }
  });

  it("says that no face is in view when the camera sees nobody", async () => {
    const blank = Array.from({ length: 30 }, () => ({ width: 640, height: 480, channels: 3 as const, data: new Uint8Array(640 * 480 * 3).fill(128) }));
    const video = join(profiles, "blank.y4m");
    await writeY4m(video, blank, 30);
    const context = await launch(["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`]);
    try {
      const { page, errors } = await openPage(context);
      await page.click("#camera");
      await page.waitForFunction(() => Number(document.getElementById("fps")?.dataset.frames) >= 10, undefined, { timeout: 60_000 });
      expect(await page.$eval("#fps", (e) => (e as HTMLElement).dataset.labelledFrames)).toBe("0");
      expect(await page.textContent("#fps")).toMatch(/^No face in view \(camera: \d+\.\d frames per second\)$/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("labels a photo opened from a file and one dropped on the picture, with no request leaving localhost", async () => {
    const { cascade, classifier } = await loadModels();
    const context = await launch();
    try {
      const { page, requests, errors } = await openPage(context);

      await page.setInputFiles("#file", ASTRONAUT);
      await page.waitForSelector(`#faces[data-image="${basename(ASTRONAUT)}"]`);
      // A PNG decodes to the same pixels everywhere: the page must find what Node finds.
      const want = analyzePhoto(await decodeImageFile(ASTRONAUT), cascade, classifier);
      const shown = await shownFaces(page);
      expect(shown).toEqual(want.map((f) => ({ label: f.label, probability: Number(f.probability.toFixed(4)), box: f.box })));
      await page.screenshot({ path: join(ARTIFACTS, "photo.png") });

      // JPEG decoders may differ by a grey level here and there: the same face, near the same box.
      const london = LONDON[0];
      await dropFile(page, basename(london), await readFile(london), "image/jpeg");
      await page.waitForSelector(`#faces[data-image="${basename(london)}"]`);
      const [node] = findFaces(toGray(await decodeImageFile(london)), cascade);
      const dropped = await shownFaces(page);
      expect(dropped).toHaveLength(1);
      expect(overlap(dropped[0].box, node)).toBeGreaterThan(0.9);
      expect(classifier.labels).toContain(dropped[0].label);
      await page.screenshot({ path: join(ARTIFACTS, "dropped.png") });

      // Something that is not an image: a message naming it, and the page goes on.
      await dropFile(page, "notes.png", Buffer.from("not a picture\n"), "image/png");
      await page.waitForFunction(() => document.getElementById("status")?.textContent?.includes("notes.png"));
      expect(await page.textContent("#status")).toBe("Cannot read notes.png: this browser cannot decode it as an image.");
      // ... and the last picture and its faces are gone, not left as if they were notes.png's.
      expect(await page.$eval("#stage", (e) => e.classList.contains("showing"))).toBe(false);
      expect(await page.$$("#faces li")).toHaveLength(0);
      expect(await page.$eval("#faces", (e) => (e as HTMLElement).dataset.image)).toBeUndefined();

      // The sample photo button shows the astronaut, the same as opening the file.
      await page.click("#sample");
      await page.waitForSelector(`#faces[data-image="the sample photo"]`);
      expect(await shownFaces(page)).toEqual(shown);

      // The weights and the cascade came from the page's own server.
      expect(requests.some((url) => url.endsWith(".mxw"))).toBe(true);
      expect(requests.some((url) => /haarcascade_frontalface_default[^/]*\.js$/.test(url))).toBe(true);
      expect(offsite(requests)).toEqual([]);
      expect(errors).toEqual([]);
      // The README's picture is this test's: the astronaut, labelled.
      await page.setInputFiles("#file", ASTRONAUT);
      await page.waitForSelector(`#faces[data-image="${basename(ASTRONAUT)}"]`);
      await page.screenshot({ path: join(ARTIFACTS, "readme.png") });
      await writeAtomic(SCREENSHOT, await readFile(join(ARTIFACTS, "readme.png")));
    } finally {
      await context.close();
    }
  });

  it("labels the webcam live (Chromium's fake camera) and measures the labelled frames per second", async () => {
    const { cascade } = await loadModels();
    const frames = await panFrames(ASTRONAUT);
    const video = join(profiles, "astronaut.y4m");
    await writeY4m(video, frames, 60);
    const context = await launch(["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`]);
    try {
      const { page, requests, errors } = await openPage(context);
      await page.click("#camera");
      await page.waitForFunction(() => Number(document.getElementById("fps")?.dataset.labelledFrames) >= 30, undefined, { timeout: 60_000 });

      const count = () => page.$eval("#fps", (e) => ({ labelled: Number((e as HTMLElement).dataset.labelledFrames), frames: Number((e as HTMLElement).dataset.frames), at: performance.now() }));
      const start = await count();
      // Meanwhile, how many faces the page lists, ten times a second.
      const faceCounts = await page.evaluate(async (seconds) => {
        const counts: number[] = [];
        const list = document.getElementById("faces");
        for (let t = 0; t < seconds * 10; t++) {
          counts.push(Number(list?.dataset.count));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return counts;
      }, MEASURE_SECONDS);
      const end = await count();
      const seconds = (end.at - start.at) / 1000;
      const labelledRate = (end.labelled - start.labelled) / seconds;
      const frameRate = (end.frames - start.frames) / seconds;
      const shown = await page.textContent("#fps");
      const timing = await page.textContent("#timing");
      console.log(`\nwebcam (fake camera, 640x480 at 60 fps): ${labelledRate.toFixed(1)} labelled frames per second over ${seconds.toFixed(1)} s (${frameRate.toFixed(1)} analysed); the page shows "${shown}"; last ${timing}\n`);
      await writeAtomic(join(ARTIFACTS, "webcam-fps.json"), `${JSON.stringify({ labelledRate, frameRate, seconds, shown, timing }, null, 2)}\n`);

      // The face was labelled in (nearly) every analysed frame, and there is one face, the size
      // the paper's detector finds it (the window pans, so where it is depends on the frame shown).
      // On a loaded machine the worker analyses fewer frames, the face moves further between two
      // of them and the tracker may lose it for a frame (seen once in CI: 241 of 242): at most
      // 2 % of the analysed frames may go unlabelled.
      const analysed = end.frames - start.frames;
      expect(end.labelled - start.labelled).toBeGreaterThan(0);
      expect(analysed - (end.labelled - start.labelled)).toBeLessThanOrEqual(Math.ceil(0.02 * analysed));
      expect(faceCounts.filter((n) => n !== 1), "samples of the face count that were not 1").toEqual([]);
      const faces = await shownFaces(page);
      expect(faces).toHaveLength(1);
      const [paper] = findFaces(toGray(frames[0]), cascade);
      expect(faces[0].box.width / paper.width).toBeGreaterThan(0.85);
      expect(faces[0].box.width / paper.width).toBeLessThan(1.15);
      await page.screenshot({ path: join(ARTIFACTS, "webcam.png") });

      expect(offsite(requests)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
