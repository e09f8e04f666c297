import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/internal.ts", "src/fold-worker.ts", "src/gradient-worker.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  // import.meta.url locates the fold worker; tsup shims it in the CJS build.
  shims: true,
  // The CJS entries share one copy of the library too (as ESM's do), so module state such as
  // the registered kernels is one, whichever entry reads it.
  splitting: true,
});
