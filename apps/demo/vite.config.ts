import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

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
  worker: { format: "es" },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1", port: 4173 },
});
