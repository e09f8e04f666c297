import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One file at a time: the browser test measures frames per second, and on a 2-core
    // machine another test file running beside it would halve the figure.
    fileParallelism: false,
    // The workspace packages are used as built, loaded by Node itself as the CLI loads them
    // (vitest would otherwise run their dist/ through its own module transform).
    server: { deps: { external: [/\/packages\/[^/]+\/dist\//] } },
  },
});
