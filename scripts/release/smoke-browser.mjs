// @microexp/infer in a real browser, as an app would load it: an installed copy of the
// package is served on 127.0.0.1, a page imports dist/index.js as an ES module, fetches the
// shipped weights through modelUrl() and classifies a face. Chromium (Debian's) runs headless
// under playwright-core; every request the page makes is recorded, and any that would leave
// 127.0.0.1 is blocked and reported.
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.MICROEXP_CHROMIUM ?? "/usr/bin/chromium";

// The same switches as the demo's browser tests: no sandbox (root in CI), and no
// background traffic of the browser's own.
const ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const TYPES = { ".js": "text/javascript", ".json": "application/json", ".html": "text/html", ".mxw": "application/octet-stream", ".md": "text/markdown" };

// The page: both engines (WebAssembly SIMD, which "auto" picks in Chromium, and plain
// JavaScript), the default model's URL as the package computes it.
const PAGE = `<!doctype html><meta charset="utf-8"><title>@microexp/infer smoke test</title>
<script type="module">
try {
  const { loadClassifier, modelUrl } = await import("./dist/index.js");
  const meta = await (await fetch("/__smoke/pixels.json")).json();
  const data = new Uint8Array(await (await fetch("/__smoke/pixels.bin")).arrayBuffer());
  const image = { width: meta.width, height: meta.height, channels: meta.channels, data };
  const runs = [];
  for (const engine of ["auto", "js"]) {
    const classifier = await loadClassifier(modelUrl(), { engine });
    const p = classifier.classify(image, meta.box);
    runs.push({ engine: classifier.engineKind, label: p.label, probability: p.probability, scores: p.scores });
  }
  globalThis.__smoke = { ok: true, modelUrl: String(modelUrl()), runs };
} catch (error) {
  globalThis.__smoke = { ok: false, error: String(error && error.stack || error) };
}
</script>`;

/**
 * Serves `packageDir` (an installed @microexp/infer) and the fixture pixels, opens the page
 * in Chromium and returns `{ modelUrl, runs, requests }`; throws with the reason on failure.
 */
export async function inferInChromium({ packageDir, pixels }) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
    let body;
    let type;
    if (path === "/") [body, type] = [PAGE, TYPES[".html"]];
    else if (path === "/__smoke/pixels.json") [body, type] = [JSON.stringify(pixels), TYPES[".json"]];
    else if (path === "/__smoke/pixels.bin") [body, type] = [readFileSync(pixels.file), "application/octet-stream"];
    else {
      const file = join(packageDir, normalize(path)); // normalize keeps "/.." inside the folder
      if (file.startsWith(packageDir) && existsSync(file) && statSync(file).isFile()) [body, type] = [readFileSync(file), TYPES[extname(file)] ?? "application/octet-stream"];
    }
    response.writeHead(body === undefined ? 404 : 200, { "content-type": type ?? "text/plain" });
    response.end(body ?? "not found");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const page = await browser.newPage();
    const requests = [];
    const offsite = [];
    const errors = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      requests.push(url);
      const { protocol, origin: from } = new URL(url);
      if (protocol === "data:" || protocol === "blob:" || from === origin) return route.continue();
      offsite.push(url);
      return route.abort("blockedbyclient");
    });
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`${origin}/`);
    await page.waitForFunction("globalThis.__smoke !== undefined", undefined, { timeout: 60_000 });
    const result = await page.evaluate("globalThis.__smoke");
    if (offsite.length) throw new Error(`the page tried to leave 127.0.0.1: ${offsite.join(", ")}`);
    if (!result.ok) throw new Error(`the page failed: ${result.error}`);
    if (errors.length) throw new Error(`the page reported errors: ${errors.join("; ")}`);
    return { ...result, requests: requests.map((url) => url.replace(origin, "")) };
  } finally {
    await browser.close();
    server.close();
  }
}
