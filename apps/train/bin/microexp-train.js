#!/usr/bin/env node
// The `microexp-train` executable. A committed file, so that `npm ci` can link it in a fresh clone,
// where dist/ is only made afterwards by `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(`microexp-train: ${fileURLToPath(cli)} is missing: run \`npm run build\` first (in the repository's root folder)\n`);
  process.exit(1);
}
await import(cli.href);
