// The bench's pure parts (labels, metrics, pixels, human's preprocessing), run by the root's
// `npm test` without the peers installed.
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["test/**/*.test.mjs"] } });
