import { DEFAULT_MODEL, zooEntry } from "@microexp/infer";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

// The one weights file the page uses, as a URL into the bundle. (infer's modelUrl(name) makes
// bundlers copy every shipped weights file, research-licensed ones included.)
const inferDir = dirname(createRequire(import.meta.url).resolve("@microexp/infer/package.json"));
const defaultWeights = join(inferDir, "weights", zooEntry(DEFAULT_MODEL).file);

// The page's Content-Security-Policy, written once in index.html's <meta>, is also sent as a
// header: a <meta> policy covers the page only, the header covers its worker too.
const page = readFileSync(fileURLToPath(new URL("./src/web/index.html", import.meta.url)), "utf8");
const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page)?.[1];
if (!csp) throw new Error("src/web/index.html has no Content-Security-Policy <meta>");
const headers = { "Content-Security-Policy": csp };

/** Drops the weights files no chunk refers to, which Vite emits for modelUrl's `new URL(`../weights/${stem}.mxw`)`. */
function dropUnusedWeights(): Plugin {
  return {
    name: "drop-unused-weights",
    generateBundle(_options, bundle) {
      // Workers arrive in the page's bundle as .js assets.
      const code = Object.values(bundle)
        .map((file) => (file.type === "chunk" ? file.code : file.fileName.endsWith(".js") ? Buffer.from(file.source).toString() : ""))
        .join("\n");
      for (const [name, file] of Object.entries(bundle)) {
        if (file.type === "asset" && name.endsWith(".mxw") && !code.includes(basename(name))) delete bundle[name];
      }
    },
  };
}

// The page lives in src/web and builds into dist/web (tsup owns the rest of dist/). Paths are
// absolute so that the config works from any working directory (the tests start a server).
export default defineConfig({
  root: fileURLToPath(new URL("./src/web", import.meta.url)),
  base: "./",
  build: {
    outDir: fileURLToPath(new URL("./dist/web", import.meta.url)),
    emptyOutDir: true,
    // The cascade is one large generated module; it loads in the worker, never on the main thread.
    chunkSizeWarningLimit: 1024,
  },
  // The worker imports the cascades with dynamic import(), which needs ES-module workers.
  worker: { format: "es", plugins: () => [dropUnusedWeights()] },
  plugins: [dropUnusedWeights()],
  resolve: { alias: { "microexp:default-weights": `${defaultWeights}?url` } },
  server: { host: "127.0.0.1", headers },
  preview: { host: "127.0.0.1", port: 4173, headers },
});
