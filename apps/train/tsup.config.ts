import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  // import.meta.url finds the installed packages' package.json files; tsup shims it in the CJS build.
  shims: true,
  // src/cli.ts starts with "#!/usr/bin/env node": esbuild keeps it and tsup marks the file executable.
});
