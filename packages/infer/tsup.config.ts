import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/node.ts", "src/internal.ts"],
  format: ["esm", "cjs"],
  dts: true,
  // No source maps: the installed package must stay under 1 MB with its weights.
  sourcemap: false,
  clean: true,
  target: "es2022",
  // import.meta.url locates the shipped weights; tsup shims it in the CJS build.
  shims: true,
  // One copy of the library for both CJS entries (index, node), as the ESM build has: the
  // installed package stays under 1 MB.
  splitting: true,
});
